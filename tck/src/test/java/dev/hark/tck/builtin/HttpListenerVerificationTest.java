package dev.hark.tck.builtin;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.tck.Capability;
import dev.hark.tck.ListenerVerification;
import dev.hark.tck.Publication;
import dev.hark.tck.SourceFixture;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The built-in HTTP listener passes the TCK: a channel is an event key of the waiting workflow. */
class HttpListenerVerificationTest extends ListenerVerification<String, HttpEvent> {

    @Override
    protected Class<HttpListener> listener() {
        return HttpListener.class;
    }

    @Override
    protected SourceFixture<String> createFixture() {
        return new SourceFixture<>() {
            @Override
            public String newChannel(String name) {
                return "key-" + name;
            }

            @Override
            public CompletionStage<String> publish(String key, String payload, Publication publication) {
                return publication.sendToInbox(key, payload);
            }

            @Override
            public Map<Capability, String> unsupported() {
                return Map.of(
                        Capability.DURABLE_CHANNEL,
                        "the source is the sender: the runtime's inbox refuses an event"
                                + " no wait is registered for (404) and accepts one only once it is checkpointed (200), so the"
                                + " sender holds it until then and retries; nothing is published before a wait, nothing is"
                                + " redelivered, and a crash before the checkpoint loses nothing the sender was told is"
                                + " accepted (R6.4; proved with SIGKILL by the runtime's CrashRecoveryTest)");
            }
        };
    }
}
