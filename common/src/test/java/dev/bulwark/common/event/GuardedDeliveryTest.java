package dev.bulwark.common.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GuardedDeliveryTest {

  @Test
  void aDeliveredEventIsNotAFailure() {
    List<String> got = new ArrayList<>();
    GuardedDelivery<String> d = GuardedDelivery.of(got::add, (e, f) -> { }, false);
    assertNull(d.deliver("a"));
    assertEquals(List.of("a"), got);
    assertEquals(0, d.failures());
  }

  @Test
  void aFailureIsCountedReportedAndReturned() {
    IllegalStateException boom = new IllegalStateException("disk full");
    List<Object> reported = new ArrayList<>();
    GuardedDelivery<String> d = GuardedDelivery.of(e -> {
      throw boom;
    }, (e, f) -> reported.add(e + ":" + f.getMessage()), true);
    assertSame(boom, d.deliver("a"));
    assertEquals(List.of("a:disk full"), reported);
    assertEquals(1, d.failures());
    assertTrue(d.failClosed());
  }

  @Test
  void aFallbackThatThrowsIsKeptAsSuppressed() {
    GuardedDelivery<String> d = GuardedDelivery.of(e -> {
      throw new java.io.IOException("listener");
    }, (e, f) -> {
      throw new IllegalStateException("fallback");
    }, false);
    Exception f = d.deliver("a");
    assertEquals("listener", f.getMessage());
    assertEquals("fallback", f.getSuppressed()[0].getMessage());
  }

  @Test
  void failuresAreCountedUnderConcurrency() throws Exception {
    GuardedDelivery<Integer> d = GuardedDelivery.of(e -> {
      if (e % 2 == 0) {
        throw new IllegalStateException();
      }
    }, (e, f) -> { }, false);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int i = 0; i < 10_000; i++) {
      int n = i;
      pool.execute(() -> d.deliver(n));
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
    assertEquals(5_000, d.failures());
  }
}
