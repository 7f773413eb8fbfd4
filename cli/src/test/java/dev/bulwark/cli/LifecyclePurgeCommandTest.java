package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.InMemoryHostRecords;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.spi.HostRecords;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LifecyclePurgeCommandTest {

  static final DataClass NOTES = DataClass.of("notes");
  final InMemoryHostRecords records = HostRecords.inMemory(NOTES);
  final LifecycleStore store = LifecycleStore.inMemory(records);
  final AtomicReference<Instant> now = new AtomicReference<>(Cli.NOW.minus(Duration.ofDays(40)));
  Lifecycle host;

  @BeforeEach
  void seed() throws Exception {
    host = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(NOTES, Period.ofDays(60))))
        .clock(now::get).build();
    for (int i = 0; i < 6; i++) {
      records.insert(RecordRef.of(NOTES, "n" + i), Optional.of("user-" + i), Optional.empty());
    }
    // n0..n2 soft deleted 40 days ago with the 30-day recovery window: due 10 days ago.
    host.softDelete(List.of(RecordRef.of(NOTES, "n0"), RecordRef.of(NOTES, "n1"), RecordRef.of(NOTES, "n2")),
        Attribution.of("user-0", "deleted in the app"));
    // n3 became eligible 50 days ago under a 60-day retention: due in 10 days.
    host.markEligible(RecordRef.of(NOTES, "n3"), Cli.NOW.minus(Duration.ofDays(50)));
  }

  Environment env(Instant at) {
    return Environment.system().withClock(Clock.fixed(at, ZoneOffset.UTC))
        .withLifecycleStores((e, o, m) -> store);
  }

  Cli.Result purge(Instant at, String... args) {
    String[] base = {"lifecycle", "purge", "--table", "notes=notes", "--retention", "notes=P60D"};
    String[] all = new String[base.length + args.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(args, 0, all, base.length, args.length);
    return Cli.run(env(at), all);
  }

  boolean exists(String id) {
    return store.find(RecordRef.of(NOTES, id)).isPresent();
  }

  @Test
  void dryRun_listsWhatIsDueAndWhen_andDeletesNothing() throws Exception {
    Cli.Result r = purge(Cli.NOW, "--dry-run");
    assertEquals(ExitCode.OK, r.code(), r.all());
    assertTrue(r.out().startsWith("DRY RUN at " + Cli.NOW + ": 3 record(s) due; nothing deleted"), r.out());
    assertTrue(r.out().contains("notes n1 deleted " + Cli.NOW.minus(Duration.ofDays(40)) + " due "
        + Cli.NOW.minus(Duration.ofDays(10))), r.out());
    assertFalse(r.out().contains(" n3 "), r.out());
    for (int i = 0; i < 6; i++) {
      assertTrue(exists("n" + i));
    }

    Cli.Result later = purge(Cli.NOW, "--dry-run", "--as-of", Cli.NOW.plus(Duration.ofDays(11)).toString(), "--json");
    JsonNode j = new ObjectMapper().readTree(later.out());
    assertTrue(j.get("dryRun").asBoolean());
    assertEquals(4, j.get("total").asLong());
    assertEquals(4, j.get("sample").size());
    assertEquals("notes@v1:P60D/PURGE/GOVERNANCE", j.get("policies").get("notes").asText());
  }

  @Test
  void run_purgesWhatIsDue_only() throws Exception {
    Cli.Result r = purge(Cli.NOW, "--run", "--json");
    assertEquals(ExitCode.OK, r.code(), r.all());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertFalse(j.get("dryRun").asBoolean());
    assertEquals(3, j.get("counts").get("notes").asLong());
    assertFalse(exists("n0") || exists("n1") || exists("n2"));
    assertTrue(exists("n3") && exists("n4") && exists("n5"));
    Cli.Result again = purge(Cli.NOW.plus(Duration.ofMinutes(1)), "--dry-run");
    assertTrue(again.out().contains(": 0 record(s) due"), again.out());
  }

  @Test
  void railStopsARunWithTheClockBehind_untilAnOperatorConfirms() throws Exception {
    assertEquals(ExitCode.OK, purge(Cli.NOW, "--run").code());
    host.softDelete(List.of(RecordRef.of(NOTES, "n4")), Attribution.of("user-4", "deleted"));
    Instant behind = Cli.NOW.minus(Duration.ofHours(1));

    Cli.Result dry = purge(behind, "--dry-run");
    assertTrue(dry.out().contains("WARNING: a real run would be refused: CLOCK_BEHIND_LAST_RUN"), dry.out());

    Cli.Result refused = purge(behind, "--run");
    assertEquals(ExitCode.REFUSED, refused.code(), refused.all());
    assertTrue(refused.err().contains("CLOCK_BEHIND_LAST_RUN") && refused.err().contains("--confirm"), refused.err());
    assertTrue(exists("n4"));

    Cli.Result confirmed = purge(behind, "--run", "--confirm", "--operator", "alice", "--reason", "clock fixed", "--max-rows", "5");
    assertEquals(ExitCode.OK, confirmed.code(), confirmed.all());
    assertFalse(exists("n4"));
    assertTrue(exists("n3"));
  }

  @Test
  void badArguments_areUsageErrors() throws Exception {
    assertEquals(ExitCode.USAGE, purge(Cli.NOW).code(), "--dry-run or --run is required");
    assertEquals(ExitCode.USAGE, purge(Cli.NOW, "--dry-run", "--run").code());
    Cli.Result confirm = purge(Cli.NOW, "--run", "--confirm");
    assertEquals(ExitCode.USAGE, confirm.code());
    assertTrue(confirm.err().contains("--confirm needs --operator"), confirm.err());
    Cli.Result period = purge(Cli.NOW, "--dry-run", "--retention", "notes=ninety days");
    assertEquals(ExitCode.USAGE, period.code());
    assertTrue(period.err().contains("--retention 'notes=ninety days'"), period.err());
    Cli.Result table = Cli.run(env(Cli.NOW), "lifecycle", "purge", "--dry-run", "--table", "Notes=Bad Table");
    assertEquals(ExitCode.USAGE, table.code(), table.all());
    assertEquals(ExitCode.USAGE, purge(Cli.NOW, "--run", "--as-of", Cli.NOW.toString()).code());
    assertFalse(confirm.all().contains("Exception"));
  }

  @Test
  void unreachableDatabase_isAConfigError() throws Exception {
    Cli.Result r = Cli.run("lifecycle", "purge", "--dry-run", "--table", "notes=notes",
        "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
    assertEquals(ExitCode.IO_OR_CONFIG, r.code(), r.all());
    assertTrue(r.err().startsWith("bulwark: "), r.err());
    assertFalse(r.all().contains("\tat "), r.all());
    Cli.Result other = Cli.run("lifecycle", "purge", "--dry-run", "--table", "notes=notes", "--jdbc-url", "jdbc:mysql://x/y");
    assertEquals(ExitCode.USAGE, other.code(), other.all());
  }
}
