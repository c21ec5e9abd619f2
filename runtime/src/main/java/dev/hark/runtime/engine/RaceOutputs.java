package dev.hark.runtime.engine;

import dev.hark.runtime.workflow.DagDefinition.Step;
import dev.hark.workflow.FirstOf;
import dev.hark.workflow.WaitResult;
import dev.hark.workflow.internal.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds a race's output envelope from its winner's checkpointed event. The envelope names the
 * winner's own event type as the type argument ({@code FirstOf<HttpEvent>}), so a downstream task
 * that declares {@code FirstOf<Event>} or {@code WaitResult<E>} reads the event back as its real
 * class.
 */
final class RaceOutputs {

    private static final String FIRST_OF = FirstOf.class.getName();
    private static final String RECEIVED = WaitResult.Received.class.getName();
    private static final String TIMED_OUT = WaitResult.TimedOut.class.getName();

    private RaceOutputs() {}

    /**
     * @param position the winner's position among the race's members
     * @param winner the winner's event envelope
     */
    static String compose(Step.FirstOf race, int position, String winner) {
        JsonNode envelope = Json.MAPPER.readTree(winner);
        JsonNode eventType = envelope.get("type");
        JsonNode event = envelope.get("value");
        ObjectNode out = Json.MAPPER.createObjectNode();
        ObjectNode value = Json.MAPPER.createObjectNode();
        if (race.output().equals(Step.FirstOf.WAIT_RESULT)) {
            if (position == 0) {
                out.put("type", generic(RECEIVED, eventType));
                value.set("event", event);
            } else {
                // the timer's event is the deadline that passed
                out.put("type", TIMED_OUT);
                value.set("deadline", event.get("deadline"));
            }
        } else {
            out.put("type", generic(FIRST_OF, eventType));
            value.put("index", position);
            value.set("event", event);
        }
        out.set("value", value);
        return Json.MAPPER.writeValueAsString(out);
    }

    private static String generic(String raw, JsonNode argument) {
        return argument != null && argument.isString() ? raw + "<" + argument.asString() + ">" : raw;
    }
}
