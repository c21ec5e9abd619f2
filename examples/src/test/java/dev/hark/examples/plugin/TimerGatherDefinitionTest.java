package dev.hark.examples.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.Hark;
import dev.hark.runtime.http.HttpSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** seed-timers validates its numbers: overflow refused naming the field, fractions honoured. */
class TimerGatherDefinitionTest {

    @Test
    void outOfRangeNumbersAreRefusedNamingTheField() {
        TimerGatherDefinition definition = new TimerGatherDefinition();
        for (Object bad : new Object[] {1e300, new java.math.BigInteger("99999999999999999999999"), -1, "8"}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> definition.build(Map.of("first_seconds", bad)),
                    String.valueOf(bad));
            assertTrue(e.getMessage().contains("first_seconds"), e.getMessage());
        }
        definition.build(Map.of("first_seconds", 1.5, "second_seconds", 0));
    }

    @Test
    void theAdminApiAnswers400NamingTheFieldAndTakesAFraction(@TempDir Path dataDir) throws Exception {
        try (Hark hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .definitions(List.of(new TimerGatherDefinition()))
                .open()) {
            int port = hark.httpAddress().orElseThrow().getPort();
            for (String value : new String[] {"1e300", "99999999999999999999999"}) {
                HttpResponse<String> response =
                        post(port, "{\"definition\": \"seed-timers\", \"input\": {\"first_seconds\": " + value + "}}");
                assertEquals(400, response.statusCode(), response.body());
                assertTrue(response.body().contains("first_seconds"), response.body());
            }
            HttpResponse<String> fraction = post(
                    port,
                    "{\"definition\": \"seed-timers\", \"input\": {\"first_seconds\": 1.5, \"second_seconds\": 0.25}}");
            assertEquals(201, fraction.statusCode(), fraction.body());
        }
    }

    private static HttpResponse<String> post(int port, String body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/workflows"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
