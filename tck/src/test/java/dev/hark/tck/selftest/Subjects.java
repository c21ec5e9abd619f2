package dev.hark.tck.selftest;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import dev.hark.tck.ListenerVerification;
import dev.hark.tck.Publication;
import dev.hark.tck.SourceFixture;
import dev.hark.tck.selftest.MemoryQueue.QEvent;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The verification classes the self-tests run through the JUnit Platform test kit. Their names do
 * not end in "Test", so the build does not run them directly.
 */
public final class Subjects {

    private Subjects() {}

    /** The memory queue's fixture. */
    static class MemoryFixture implements SourceFixture<String> {
        @Override
        public String newChannel(String name) {
            return name;
        }

        @Override
        public CompletionStage<String> publish(String channel, String payload, Publication publication) {
            return CompletableFuture.completedFuture(
                    MemoryQueue.channel(channel).publish(payload).id());
        }

        @Override
        public Optional<Set<String>> committed(String channel) {
            return Optional.of(MemoryQueue.channel(channel).committed());
        }
    }

    abstract static class MemoryVerification<E extends Event> extends ListenerVerification<String, E> {
        @Override
        protected SourceFixture<String> createFixture() {
            return new MemoryFixture();
        }
    }

    public static class GoodVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.Good.class;
        }
    }

    public static class CommitsAtPollTimeVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.CommitsAtPollTime.class;
        }
    }

    public static class NeverCommitsVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.NeverCommits.class;
        }
    }

    public static class NonIdempotentCommitVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.NonIdempotentCommit.class;
        }
    }

    public static class MutableFieldVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.MutableField.class;
        }
    }

    public static class RemembersDeliveredVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.RemembersDelivered.class;
        }
    }

    public static class NoNoArgConstructorVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.NoNoArgConstructor.class;
        }
    }

    public static class BlockingPollVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.BlockingPoll.class;
        }
    }

    public static class ConsumesWhenCancelledVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.ConsumesWhenCancelled.class;
        }
    }

    public static class UnstableIdVerification extends MemoryVerification<MemoryListeners.UnstableEvent> {
        @Override
        protected Class<? extends EventListener<String, MemoryListeners.UnstableEvent>> listener() {
            return MemoryListeners.UnstableId.class;
        }
    }

    public static class SilentVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.Silent.class;
        }
    }

    public static class TableQueueVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.TableQueue.class;
        }
    }

    public static class NewIdPerPollVerification extends MemoryVerification<MemoryListeners.HandedOutEvent> {
        @Override
        protected Class<? extends EventListener<String, MemoryListeners.HandedOutEvent>> listener() {
            return MemoryListeners.NewIdPerPoll.class;
        }
    }

    public static class SharedButDeclaredUnsharedVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.SharedButDeclaredUnshared.class;
        }
    }

    public static class ConsumesSeenEventOnCancelVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.ConsumesSeenEventOnCancel.class;
        }
    }

    public static class ConsumesLaterVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.ConsumesLater.class;
        }
    }

    /** A source that cannot say what it committed (the fixture's {@code committed} is optional). */
    public static class StaticAckBufferVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.StaticAckBuffer.class;
        }

        @Override
        protected SourceFixture<String> createFixture() {
            return new MemoryFixture() {
                @Override
                public Optional<Set<String>> committed(String channel) {
                    return Optional.empty();
                }
            };
        }
    }

    public static class NullEventVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.NullEvent.class;
        }
    }

    public static class NotPublicVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.NotPublic.class;
        }
    }

    public static class ThrowsInConstructorVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.ThrowsInConstructor.class;
        }
    }

    public static class SlowConstructorVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return MemoryListeners.SlowConstructor.class;
        }
    }

    /** Breaks L1.8: the listener's class is on the class path twice (a second jar holds a copy). */
    public static class TwiceOnTheClassPathVerification extends MemoryVerification<QEvent> {
        @Override
        protected Class<? extends EventListener<String, QEvent>> listener() {
            return SecondCopy.of(TwiceOnTheClassPath.class);
        }
    }
}
