package dev.hark.kafka;

import java.io.IOException;

/**
 * The child JVM's main: a KRaft broker (kafka.Kafka) that stops when its parent test JVM goes away
 * (its standard input closes), so a killed build leaves no broker behind.
 */
public final class BrokerMain {

    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(
                () -> {
                    try {
                        while (System.in.read() >= 0) {
                            // the parent writes nothing; EOF means it is gone
                        }
                    } catch (IOException ignored) {
                        // gone as well
                    }
                    Runtime.getRuntime().halt(0);
                },
                "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }
}
