package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.WorkflowStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;

/** Admin requests wait for the two admin threads in a bounded queue: one more is 503 at once. */
class AdminQueueTest {

    /** A recorded call, answered or not. */
    static final class Call implements HttpCall {
        final String path;
        volatile int status;
        volatile Map<String, String> headers;
        volatile String body;

        Call(String path) {
            this.path = path;
        }

        @Override
        public String method() {
            return "GET";
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String rawQuery() {
            return null;
        }

        @Override
        public String header(String name) {
            return null;
        }

        @Override
        public byte[] body() {
            return new byte[0];
        }

        @Override
        public boolean replied() {
            return status != 0;
        }

        @Override
        public void reply(int status, Map<String, String> headers, byte[] json) {
            this.headers = headers;
            this.body = new String(json, StandardCharsets.UTF_8);
            this.status = status;
        }
    }

    @Test
    void aFullAdminQueueIsAnswered503WithRetryAfterAndLiveStillAnswers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(AdminHandler.THREADS);
        AdminOperations blocking = new AdminOperations() {
            @Override
            public CompletableFuture<String> start(String d, String id, Map<String, Object> in) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<String> definitions() {
                return List.of();
            }

            @Override
            public WorkflowStatus status(String id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<String> error(String id) {
                return Optional.empty();
            }

            @Override
            public Object output(String id) {
                return null;
            }

            @Override
            public void cancel(String id) {}

            @Override
            public Map<String, Object> health() {
                return Map.of("status", HEALTH_OK);
            }

            @Override
            public List<WorkflowSummary> list(Optional<WorkflowStatus> status) {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of();
            }
        };
        AdminHandler handler = new AdminHandler(blocking);
        ExecutorService executor = AdminHandler.executor(Thread::new);
        try {
            for (int i = 0; i < AdminHandler.THREADS; i++) {
                handler.submit(executor, new Call(AdminHandler.WORKFLOWS));
            }
            busy.await();
            Call[] queued = new Call[AdminHandler.MAX_QUEUED];
            for (int i = 0; i < queued.length; i++) {
                queued[i] = new Call(AdminHandler.WORKFLOWS);
                handler.submit(executor, queued[i]);
                assertEquals(0, queued[i].status, "queued, not answered yet");
            }
            Call refused = new Call(AdminHandler.WORKFLOWS);
            handler.submit(executor, refused);
            assertEquals(503, refused.status, refused.body);
            assertEquals("1", refused.headers.get("Retry-After"));
            assertTrue(refused.body.contains("admin_busy"), refused.body);

            Call live = new Call(AdminHandler.LIVE);
            handler.submit(executor, live);
            assertEquals(200, live.status, live.body);

            release.countDown();
            for (Call call : queued) {
                Await.until(() -> call.status != 0, () -> "queued requests were not served");
                assertEquals(200, call.status, call.body);
            }
        } finally {
            release.countDown();
            executor.shutdownNow();
        }
    }
}
