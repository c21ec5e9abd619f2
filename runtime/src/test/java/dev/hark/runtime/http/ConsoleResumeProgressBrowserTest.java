package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.PausingStore;
import dev.hark.workflow.Dag;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's resume progress line, in headless Chromium: after a restart with 40 parked
 * workflows, held after 10 by a store whose bulk read pauses, the header says "resuming workflows:
 * 10 of 40 re-parked (25%)"; once the read goes on, the line goes and the badge says ok. Skipped
 * like {@link ConsoleBrowserTest} where Chromium is missing.
 */
class ConsoleResumeProgressBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final int PARKED = 40;
    private static final int RESUMED_FIRST = 10;

    @TempDir
    Path dataDir;

    @TempDir
    Path profile;

    private Hark hark;
    private PausingStore pausing;
    private WebDriver browser;

    @AfterEach
    void close() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (pausing != null) {
                pausing.release();
            }
            if (hark != null) {
                hark.close();
            }
        }
    }

    @Test
    void theHeaderShowsHowFarTheResumptionIsUntilItIsDone() throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "no headless Chromium here: /usr/bin/chromium and /usr/bin/chromedriver come from Debian's"
                        + " chromium and chromium-driver packages (.ci/run installs them)");
        try (Hark first = Hark.open(dataDir)) {
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (int i = 0; i < PARKED; i++) {
                started.add(first.start(Dag.waitForEvent(HttpListener.class, "k"), String.format("w-%02d", i))
                        .started());
            }
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .resumeAllOnOpen(true)
                .store(dir -> pausing = new PausingStore(SqliteWorkflowStore.open(dir), RESUMED_FIRST))
                .open();
        pausing.awaitPaused();
        Await.until(
                () -> hark.resumeProgress().resumed() == RESUMED_FIRST,
                () -> "the first workflows were not re-parked: " + hark.resumeProgress());

        browser = chromium();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get("http://127.0.0.1:" + hark.httpAddress().orElseThrow().getPort() + "/console");
        wait.until(ExpectedConditions.textToBe(By.id("health"), "starting"));
        wait.until(
                ExpectedConditions.textToBe(By.id("resume-progress"), "resuming workflows: 10 of 40 re-parked (25%)"));
        Path screenshots = Files.createDirectories(Path.of("target", "console-screenshots"));
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), screenshots.resolve("4-resuming.png"), StandardCopyOption.REPLACE_EXISTING);

        pausing.release();
        hark.resumedOnOpen().get(30, TimeUnit.SECONDS);
        // the page asks again by itself while the server is starting
        wait.until(ExpectedConditions.textToBe(By.id("health"), "ok"));
        assertTrue(!browser.findElement(By.id("resume-progress")).isDisplayed(), "no progress line once ready");
    }

    private WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,600",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }
}
