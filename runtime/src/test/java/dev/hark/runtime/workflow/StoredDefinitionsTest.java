package dev.hark.runtime.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hark.workflow.internal.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;

/** Stored definition texts are parsed once per distinct text, and read back equal to what was stored. */
class StoredDefinitionsTest {

    private static String stored(String taskId, String constant) {
        DagDefinition dag = new DagDefinition(
                DagDefinition.CURRENT_VERSION,
                List.of(
                        new DagDefinition.Step.Value(constant),
                        new DagDefinition.Step.Wait(taskId, "com.example.SomeListener", 0)),
                1);
        return Json.MAPPER.writeValueAsString(dag);
    }

    @Test
    void theSameTextReadTwiceIsOneInstanceEqualToWhatWasStored() {
        StoredDefinitions definitions = new StoredDefinitions();
        String text = stored("w0", "{\"v\":1}");
        DagDefinition first = definitions.read(text);
        DagDefinition second = definitions.read(new String(text.toCharArray())); // equal text, not the same String

        assertSame(first, second);
        assertEquals(Json.MAPPER.readValue(text, DagDefinition.class).root(), first.root());
        assertEquals("w0", ((DagDefinition.Step.Wait) first.nodes().get(1)).taskId());
        assertEquals("{\"v\":1}", ((DagDefinition.Step.Value) first.nodes().get(0)).envelope());
    }

    @Test
    void differentTextsAreDifferentDefinitions() {
        StoredDefinitions definitions = new StoredDefinitions();
        DagDefinition a = definitions.read(stored("w0", "{\"v\":1}"));
        DagDefinition b = definitions.read(stored("w0", "{\"v\":2}"));

        assertNotSame(a, b);
        assertEquals("{\"v\":2}", ((DagDefinition.Step.Value) b.nodes().get(0)).envelope());
    }

    @Test
    void aTextReadAfterManyOthersIsStillReadCorrectly() {
        StoredDefinitions definitions = new StoredDefinitions();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < StoredDefinitions.MAX_ENTRIES * 2; i++) {
            texts.add(stored("w" + i, "{\"v\":" + i + "}"));
        }
        texts.forEach(definitions::read);
        for (int i = 0; i < texts.size(); i++) {
            DagDefinition dag = definitions.read(texts.get(i));
            assertEquals("w" + i, ((DagDefinition.Step.Wait) dag.nodes().get(1)).taskId());
        }
    }

    @Test
    void aLongTextIsParsedEachTimeAndReadCorrectly() {
        StoredDefinitions definitions = new StoredDefinitions();
        String big = "\"" + "x".repeat(StoredDefinitions.MAX_TEXT_CHARS) + "\"";
        String text = stored("w0", big);

        DagDefinition first = definitions.read(text);
        DagDefinition second = definitions.read(text);

        assertNotSame(first, second);
        assertEquals(big, ((DagDefinition.Step.Value) second.nodes().get(0)).envelope());
    }

    @Test
    void aTextThatIsNoDefinitionFailsEveryTime() {
        StoredDefinitions definitions = new StoredDefinitions();
        assertThrows(JacksonException.class, () -> definitions.read("{\"nodes\": [ {\"kind\": \"nope\"} ]}"));
        assertThrows(JacksonException.class, () -> definitions.read("{\"nodes\": [ {\"kind\": \"nope\"} ]}"));
    }
}
