package dev.meshboot.clusterconfig.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests set and move, backwards too. */
final class MutableClock extends Clock {
    private Instant now;

    MutableClock(long millis) {
        this.now = Instant.ofEpochMilli(millis);
    }

    void set(long millis) {
        now = Instant.ofEpochMilli(millis);
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
