package dev.hark.examples;

import dev.hark.examples.plugin.ExampleTasks;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;

/**
 * The HTTP example: a workflow that waits for an HTTP event with key {@code my_event_key},
 * sent to {@code POST http://127.0.0.1:8000/event/send_event/workflow_receive_event_by_http}.
 */
public final class HttpEventExample {

    static final String WORKFLOW_ID = "workflow_receive_event_by_http";
    static final String EVENT_KEY = "my_event_key";

    private HttpEventExample() {}

    static Node<String> dag() {
        return Dag.task(ExampleTasks::received).bind(Dag.waitForEvent(HttpListener.class, EVENT_KEY));
    }

    static void printHowToSend(Hark hark) {
        int port = hark.httpAddress().orElseThrow().getPort();
        String url = "http://127.0.0.1:" + port + "/event/send_event/" + WORKFLOW_ID;
        System.out.println("Workflow " + WORKFLOW_ID + " waits for an HTTP event. Send it from another terminal:");
        System.out.println();
        System.out.println("  curl -i -X POST " + url + " \\");
        System.out.println("       -H 'Content-Type: application/json' \\");
        System.out.println(
                "       -d '{\"event_key\": \"" + EVENT_KEY + "\", \"event_payload\": \"my_event_message\"}'");
        System.out.println();
        System.out.println(
                "(or send it with Ray's Python requests snippet, unchanged). The reply is 200 once the event is"
                        + " durably checkpointed.");
    }
}
