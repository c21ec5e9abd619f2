package dev.hark.tck;

/**
 * One step of a crash schedule: one event published into the channel and one workflow that waits
 * for an event there, crashed at {@code crash}.
 *
 * @param publishAhead publish this step's event before the schedule's first workflow starts
 *     (else right after this step's workflow starts)
 * @param crash where this step's wait is crashed
 * @param delayMillis for {@link CrashPoint#INSIDE_COMMIT}: how long {@code eventCheckpointed} may
 *     run before the crash
 */
public record Step(boolean publishAhead, CrashPoint crash, int delayMillis) {

    @Override
    public String toString() {
        return (publishAhead ? "ahead" : "after-start") + "/" + crash
                + (crash == CrashPoint.INSIDE_COMMIT ? "+" + delayMillis + "ms" : "");
    }
}
