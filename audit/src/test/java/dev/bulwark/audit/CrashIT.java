package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.spi.StoredEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that appends from 8 threads with kill -9 (destroyForcibly) at random points,
 * many times, and proves that every acknowledged event survives, a torn tail (if any) is
 * recovered and logged, and the log verifies.
 */
class CrashIT {

  static final String ORIGIN = "crash.example/audit";

  @TempDir Path tmp;

  @Test
  void killNine_atRandomPoints_losesNoAcknowledgedEvent() throws Exception {
    Path dir = tmp.resolve("log");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Files.write(keys.resolve("public.der"), kp.getPublic().getEncoded());
    Files.write(keys.resolve("private.der"), kp.getPrivate().getEncoded());
    ChainKey chainKey = ChainKey.generate();
    Files.write(keys.resolve("chain.key"), chainKey.toByteArray());
    CheckpointKey publicKey = CheckpointSigner.of(ORIGIN, kp).publicKey();

    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator + Path.of("target", "test-classes").toAbsolutePath();
    Random random = new Random(Long.getLong("crash.seed", System.nanoTime()));
    Set<Long> acked = ConcurrentHashMap.newKeySet();
    int rounds = Integer.getInteger("crash.rounds", 15);
    int tornSeen = 0;
    for (int round = 0; round < rounds; round++) {
      Process p = new ProcessBuilder(javaBin, "-cp", cp, CrashChild.class.getName(), dir.toString(), "8", keys.toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      int killAfter = 1 + random.nextInt(2000);
      int seen = 0;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line = r.readLine();
        assertTrue(line != null && line.startsWith("READY"), "child did not start: " + line);
        while (seen < killAfter && (line = r.readLine()) != null) {
          acked.add(Long.parseLong(line.trim()));
          seen++;
        }
        p.destroyForcibly(); // kill -9: acknowledged lines not yet read are simply not counted
      }
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      try (FileAuditStore ro = FileAuditStore.openReadOnly(dir)) {
        VerificationReport rep = AuditVerifier.builder(ORIGIN).trust(publicKey).chainKey(chainKey).build().verify(ro);
        assertTrue(rep.intact(), "round " + round + ": " + rep.summary());
        if (rep.has(FindingCode.TORN_TAIL)) {
          tornSeen++;
        }
        Set<Long> present = present(ro);
        for (long s : acked) {
          assertTrue(present.contains(s), "acknowledged event " + s + " lost in round " + round);
        }
      }
    }
    // Reopen once more for writing: a torn tail is recovered and logged; then the whole log verifies.
    try (FileAuditStore store = FileAuditStore.open(dir);
        AuditLog log = AuditLog.builder(ORIGIN, store).signer(CheckpointSigner.of(ORIGIN, kp)).chainKey(chainKey).build()) {
      log.append(AuditEvent.builder(Action.SYS_STARTUP, Actor.system("crash-it")).build(java.time.Clock.systemUTC()));
    }
    try (FileAuditStore ro = FileAuditStore.openReadOnly(dir)) {
      VerificationReport rep = AuditVerifier.builder(ORIGIN).trust(publicKey).chainKey(chainKey).build().verify(ro);
      assertTrue(rep.intact(), rep.summary());
      assertTrue(!rep.has(FindingCode.TORN_TAIL), rep.summary());
      assertEquals(0, rep.findings().stream().filter(f -> f.code() == FindingCode.UNSEALED_TAIL).count(), rep.summary());
      Set<Long> present = present(ro);
      assertTrue(present.containsAll(acked));
      if (tornSeen > 0) {
        assertTrue(rep.has(FindingCode.TORN_TAIL_RECOVERED), rep.summary());
      }
      System.out.printf("CrashIT: %d rounds, %d acknowledged events, %d stored, %d torn tails seen%n",
          rounds, acked.size(), present.size(), tornSeen);
    }
  }

  private static Set<Long> present(FileAuditStore store) {
    try (Stream<StoredEvent> s = store.read(0)) {
      return s.filter(e -> !e.isDamaged()).map(StoredEvent::seq).collect(Collectors.toCollection(HashSet::new));
    }
  }

  static List<Long> sorted(Set<Long> s) {
    return s.stream().sorted().collect(Collectors.toList());
  }
}
