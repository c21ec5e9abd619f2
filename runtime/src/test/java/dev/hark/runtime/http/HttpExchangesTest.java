package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpExchangesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "application/json",
                "Application/JSON",
                "application/json; charset=utf-8",
                " application/json ;x=y",
                "application/problem+json",
                "application/vnd.api+JSON; charset=utf-8"
            })
    void jsonMediaTypesAreAcceptedWhateverTheirCaseAndParameters(String contentType) {
        assertTrue(HttpExchanges.isJson(contentType), contentType);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "text/plain",
                "text/json",
                "application/jsonx",
                "application/json-seq",
                "json",
                "",
                "text/plain; format=application/json"
            })
    void otherMediaTypesAreRefused(String contentType) {
        assertFalse(HttpExchanges.isJson(contentType), contentType);
    }

    @Test
    void noContentTypeIsRefused() {
        assertFalse(HttpExchanges.isJson(null));
    }
}
