package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hark.runtime.Hark;
import dev.hark.runtime.testing.GreetingDefinition;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's headless Chromium, driven through chromedriver, against a
 * real runtime with an admin token. It clicks through what an operator does: give the token, start
 * a workflow that waits for an HTTP event, see the wait on its page, send the event with the form,
 * see the output; then find the workflow in the filtered list, and page through a longer one. Screenshots go to
 * {@code target/console-screenshots/}.
 *
 * <p>Skipped, by an assumption that says why, where {@code /usr/bin/chromedriver} is missing;
 * {@code .ci/run} installs it, so CI runs it.
 */
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final String ADMIN = "admin-token-console-0123456789";
    /** A bound on each step, not a measurement: every step takes milliseconds. */
    private static final Duration STEP = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @TempDir
    Path profile;

    private Hark hark;
    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void open() {
        // Here rather than in @BeforeAll: Surefire then reports the test as skipped, with this reason.
        assumeTrue(
                Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "no headless Chromium here: /usr/bin/chromium and /usr/bin/chromedriver come from Debian's"
                        + " chromium and chromium-driver packages (.ci/run installs them)");
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0).withCredentials(Credentials.parse("admin " + ADMIN, "test")))
                .adminApi(true)
                .definitions(List.of(new GreetingDefinition()))
                .open();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000",
                "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, STEP);
    }

    @AfterEach
    void close() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (hark != null) {
                hark.close();
            }
        }
    }

    @Test
    void startWaitSendTheEventAndSeeTheOutput() throws IOException {
        String base = "http://127.0.0.1:" + hark.httpAddress().orElseThrow().getPort();
        browser.get(base + "/console");
        assertEquals("Hark console", browser.getTitle());

        type(By.id("token"), ADMIN);
        browser.findElement(By.id("save-token")).click();
        wait.until(ExpectedConditions.textToBe(By.id("health"), "ok"));
        wait.until(driver -> new Select(driver.findElement(By.id("start-definition")))
                .getOptions().stream().anyMatch(option -> option.getText().equals("greet")));

        new Select(browser.findElement(By.id("start-definition"))).selectByVisibleText("greet");
        type(By.id("start-id"), "console-1");
        type(By.id("start-input"), "{\"key\": \"name\"}");
        browser.findElement(By.id("start-button")).click();

        wait.until(ExpectedConditions.urlContains("#/workflows/console-1"));
        wait.until(ExpectedConditions.textToBe(By.id("wf-status"), "RUNNING"));
        WebElement waits = browser.findElement(By.cssSelector("#waits tbody"));
        wait.until(driver ->
                waits.getText().contains("HttpListener") && waits.getText().contains("name"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#dag g.node.state-waiting")));
        assertEquals(
                "pending",
                browser.findElement(By.cssSelector("#dag g.node[data-state='pending']"))
                        .getAttribute("data-state"),
                "the task waits for the event");
        screenshot("1-waiting.png");

        assertEquals("name", browser.findElement(By.id("event-key")).getDomProperty("value"), "prefilled");
        type(By.id("event-payload"), "\"Ada\"");
        browser.findElement(By.id("send-event")).click();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("output"), "hello Ada"));
        wait.until(ExpectedConditions.textToBe(By.id("wf-status"), "SUCCESSFUL"));
        assertTrue(
                browser.findElement(By.id("event-result")).getText().startsWith("accepted"),
                browser.findElement(By.id("event-result")).getText());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#events tbody"), "Ada"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#dag g.node.state-done")));
        assertTrue(
                browser.findElement(By.id("cancel")).getDomProperty("disabled").equals("true"),
                "a finished workflow cannot be canceled");
        assertTrue(!browser.findElement(By.id("event-form")).isDisplayed(), "a finished workflow takes no event");
        screenshot("2-done.png");

        browser.findElement(By.linkText("All workflows")).click();
        new Select(browser.findElement(By.id("status-filter"))).selectByVisibleText("SUCCESSFUL");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#workflow-table tbody"), "console-1"));
        new Select(browser.findElement(By.id("status-filter"))).selectByVisibleText("RUNNING");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#workflow-table tbody"), "no workflows with status RUNNING"));

        // Paging: 21 running workflows are one page of 20 and one of 1.
        for (int i = 0; i <= 20; i++) {
            hark.startDefinition("greet", String.format("bulk-%02d", i), Map.of())
                    .join();
        }
        browser.findElement(By.id("refresh-list")).click();
        new Select(browser.findElement(By.id("page-size"))).selectByVisibleText("20");
        By rows = By.cssSelector("#workflow-table tbody a");
        wait.until(driver -> driver.findElements(rows).size() == 20
                && driver.findElement(By.id("next-page")).isEnabled());
        assertEquals("bulk-19", browser.findElements(rows).get(19).getText());
        screenshot("3-list.png");
        browser.findElement(By.id("next-page")).click();
        wait.until(driver -> driver.findElements(rows).size() == 1
                && driver.findElements(rows).get(0).getText().equals("bulk-20"));
        assertTrue(!browser.findElement(By.id("next-page")).isEnabled(), "the last page");
        browser.findElement(By.id("first-page")).click();
        wait.until(driver -> driver.findElements(rows).size() == 20
                && driver.findElements(rows).get(0).getText().equals("bulk-00"));

        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            String message = entry.getMessage();
            assertTrue(
                    !message.contains("Content Security Policy") && !message.contains("Uncaught"),
                    "the page breaks its own policy or throws: " + message);
        }
    }

    private void type(By field, String text) {
        WebElement element = browser.findElement(field);
        element.clear();
        element.sendKeys(text);
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
