package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.InMemoryHostRecords;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.spi.HostRecords;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LifecycleResetWatermarkCommandTest {

  static final DataClass NOTES = DataClass.of("notes");
  final InMemoryHostRecords records = HostRecords.inMemory(NOTES);
  final LifecycleStore store = LifecycleStore.inMemory(records);
  final List<DeletionEvidence> resets = new ArrayList<>();

  /** The store, recording the evidence each watermark reset stores with it. */
  final LifecycleStore observed = (LifecycleStore) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {LifecycleStore.class}, (proxy, method, args) -> {
        if (method.getName().equals("resetWatermark")) {
          resets.add((DeletionEvidence) args[1]);
        }
        try {
          return method.invoke(store, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      });

  Environment env(Instant at) {
    return Environment.system().withClock(Clock.fixed(at, ZoneOffset.UTC)).withLifecycleStores((e, o, m) -> observed);
  }

  Cli.Result run(Instant at, String... args) {
    String[] base = {"lifecycle", args[0], "--table", "notes=notes", "--retention", "notes=P60D"};
    String[] all = new String[base.length + args.length - 1];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(args, 1, all, base.length, args.length - 1);
    return Cli.run(env(at), all);
  }

  @Test
  void aRunUnderAClockTenYearsAhead_isRecoverable_byAnAttributedReset() throws Exception {
    Instant future = Cli.NOW.plus(Duration.ofDays(3653));
    assertEquals(ExitCode.OK, run(future, "purge", "--run", "--confirm", "--operator", "night-job", "--reason",
        "backlog", "--max-rows", "10").code());
    RecordRef n = RecordRef.of(NOTES, "n1");
    records.insert(n, Optional.of("u"), Optional.empty());
    Lifecycle.builder(store).policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(NOTES, Period.ofDays(60))))
        .clock(() -> Cli.NOW.minus(Duration.ofDays(40))).build()
        .softDelete(List.of(n), Attribution.of("u", "deleted"));

    Cli.Result refused = run(Cli.NOW, "purge", "--run");
    assertEquals(ExitCode.REFUSED, refused.code(), refused.all());
    assertTrue(refused.err().contains("CLOCK_BEHIND_LAST_RUN"), refused.err());

    Cli.Result reset = run(Cli.NOW, "reset-watermark", "--operator", "alice", "--reason", "clock was ten years ahead");
    assertEquals(ExitCode.OK, reset.code(), reset.all());
    assertTrue(reset.out().contains("from " + future) && reset.out().contains("to " + Cli.NOW)
        && reset.out().contains("alice"), reset.out());
    assertEquals(1, resets.size(), "the reset is stored as evidence");
    assertEquals(DeletionEvidence.Kind.WATERMARK_RESET, resets.get(0).kind());
    assertEquals(Attribution.of("alice", "clock was ten years ahead"), resets.get(0).by());

    Cli.Result after = run(Cli.NOW.plus(Duration.ofMinutes(1)), "purge", "--run");
    assertEquals(ExitCode.OK, after.code(), after.all());
    assertTrue(store.find(n).isEmpty());
  }

  @Test
  void reset_withoutOperatorOrReason_isAUsageError_andChangesNothing() throws Exception {
    store.advanceWatermark(Cli.NOW.plus(Duration.ofDays(10)));
    assertEquals(ExitCode.USAGE, run(Cli.NOW, "reset-watermark", "--operator", "alice").code());
    assertEquals(ExitCode.USAGE, run(Cli.NOW, "reset-watermark", "--operator", " ", "--reason", "x").code());
    assertEquals(Optional.of(Cli.NOW.plus(Duration.ofDays(10))), store.watermark().lastRunStartedAt());
  }
}
