package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.Segment;
import dev.bulwark.audit.spi.StoreHead;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The verifier reads a file store in parallel (worker threads check frame CRCs and decode,
 * the calling thread only walks frame headers). For any damage to the segment files, that scan
 * reports exactly the findings that verifying the store's own record stream reports.
 */
class FileScanProperties {

  static final String ORIGIN = "example.com/audit/scan";
  static final CheckpointSigner SIGNER = CheckpointSigner.generate(ORIGIN);
  static final ChainKey KEY = ChainKey.generate();
  static final AuditVerifier VERIFIER = AuditVerifier.builder(ORIGIN).trust(SIGNER.publicKey()).chainKey(KEY).build();
  /** Events in the template log: several segments, each several verifier chunks long. */
  static final int EVENTS = 5000;
  static Path template;

  @BeforeAll
  static void writeTemplate() throws IOException {
    template = Files.createTempDirectory("audit-scan-template");
    Instant start = Instant.parse("2026-03-01T00:00:00Z");
    try (FileAuditStore store = FileAuditStore.open(template);
        AuditLog log = AuditLog.builder(ORIGIN, store).clock(() -> start).signer(SIGNER).chainKey(KEY)
            .segments(2100, Duration.ofDays(1)).checkpointEvery(700, Duration.ofHours(1)).build()) {
      List<AuditEvent> batch = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        batch.add(TestEvents.event(i));
        if (batch.size() == 250) {
          log.appendAll(batch);
          batch.clear();
        }
      }
    }
  }

  @AfterAll
  static void removeTemplate() {
    delete(template);
  }

  @Test
  void undamagedLog_isIntactBothWays() {
    Path dir = copy();
    try {
      VerificationReport[] both = verifyBothWays(dir);
      assertTrue(both[0].intact(), both[0].summary());
      assertEquals(EVENTS, both[0].size());
      assertEquals(both[1], both[0]);
    } finally {
      delete(dir);
    }
  }

  @Test
  void flippedPayloadByteMidSegment_isOneFindingBothWays() throws IOException {
    Path dir = copy();
    try {
      Path seg = segments(dir).get(0);
      byte[] b = Files.readAllBytes(seg);
      b[b.length / 2] ^= 0x20; // inside some frame of the first segment, past several chunks
      Files.write(seg, b);
      VerificationReport[] both = verifyBothWays(dir);
      assertFalse(both[0].intact());
      assertEquals(both[1], both[0]);
    } finally {
      delete(dir);
    }
  }

  @Test
  void anyDamage_parallelScanReportsWhatTheRecordStreamReports() {
    PropertyRunner.forAll(60, c -> {
      long seed = c.draw("seed", Generators.longs());
      int damages = c.draw("damages", Generators.ints(1, 4));
      Path dir = copy();
      try {
        Random random = new Random(seed);
        for (int d = 0; d < damages; d++) {
          damage(random, segments(dir));
        }
        VerificationReport[] both;
        try {
          both = verifyBothWays(dir);
        } catch (AuditStoreException e) {
          return; // the store refuses to open this directory at all: nothing to scan either way
        }
        assertEquals(both[1].findings(), both[0].findings());
        assertEquals(both[1], both[0]);
      } finally {
        delete(dir);
      }
    });
  }

  /**
   * Events of about 16 KB: a run of 256 frames is then far more than the workers copy out of the
   * mapping at once, so they check and decode those frames in the mapping itself. Intact and
   * damaged, the parallel scan still reports what the record stream reports.
   */
  @Test
  void largeEvents_scannedInTheMapping_reportWhatTheRecordStreamReports() throws IOException {
    Path dir = Files.createTempDirectory("audit-scan-large");
    try {
      Instant start = Instant.parse("2026-03-01T00:00:00Z");
      String filler = "lorem ipsum dolor sit amet ".repeat(18);
      try (FileAuditStore store = FileAuditStore.open(dir);
          AuditLog log = AuditLog.builder(ORIGIN, store).clock(() -> start).signer(SIGNER).chainKey(KEY)
              .segments(400, Duration.ofDays(1)).checkpointEvery(150, Duration.ofHours(1)).build()) {
        List<AuditEvent> batch = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
          AuditEvent.Builder b = AuditEvent.builder(Action.SENSITIVE_READ, Actor.user("user-" + (i % 5), "password"));
          for (int d = 0; d < AuditEvent.MAX_DETAILS; d++) {
            b.detail("k" + (char) ('a' + d / 10) + (d % 10), filler + i);
          }
          batch.add(b.build(() -> start));
          if (batch.size() == 100) {
            log.appendAll(batch);
            batch.clear();
          }
        }
      }
      VerificationReport[] both = verifyBothWays(dir);
      assertTrue(both[0].intact(), both[0].summary());
      assertEquals(700, both[0].size());
      assertEquals(both[1], both[0]);
      Path seg = segments(dir).get(0);
      byte[] b = Files.readAllBytes(seg);
      b[b.length / 3] ^= 0x08;
      Files.write(seg, b);
      both = verifyBothWays(dir);
      assertFalse(both[0].intact());
      assertEquals(both[1], both[0]);
    } finally {
      delete(dir);
    }
  }

  /** One random change to one segment file: flipped bits, overwritten, removed or inserted bytes, or a cut. */
  private static void damage(Random random, List<Path> segments) throws IOException {
    Path seg = segments.get(random.nextInt(segments.size()));
    byte[] b = Files.readAllBytes(seg);
    if (b.length == 0) {
      return;
    }
    int at = random.nextInt(b.length);
    int len = 1 + random.nextInt(Math.min(64, b.length - at));
    byte[] out;
    switch (random.nextInt(5)) {
      case 0 -> {
        b[at] ^= (byte) (1 << random.nextInt(8));
        out = b;
      }
      case 1 -> {
        for (int i = at; i < at + len; i++) {
          b[i] = random.nextBoolean() ? 0 : (byte) random.nextInt();
        }
        out = b;
      }
      case 2 -> {
        out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
      }
      case 3 -> {
        byte[] junk = new byte[len];
        random.nextBytes(junk);
        if (random.nextBoolean() && len >= 4) {
          junk[0] = 'B'; // looks like the start of an event frame
          junk[1] = 'W';
          junk[2] = 'A';
          junk[3] = '1';
        }
        out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(junk, 0, out, at, len);
        System.arraycopy(b, at, out, at + len, b.length - at);
      }
      default -> {
        out = new byte[at];
        System.arraycopy(b, 0, out, 0, at);
      }
    }
    Files.write(seg, out);
  }

  /** [0]: the file store as the verifier reads it; [1]: the same store seen only through its record stream. */
  private static VerificationReport[] verifyBothWays(Path dir) {
    VerificationReport parallel;
    VerificationReport streamed;
    try (FileAuditStore a = FileAuditStore.openReadOnly(dir)) {
      parallel = VERIFIER.verify(a);
    }
    try (FileAuditStore b = FileAuditStore.openReadOnly(dir)) {
      streamed = VERIFIER.verify(new StreamOnly(b));
    }
    return new VerificationReport[] {parallel, streamed};
  }

  /** Any store, seen only through the {@link AuditStore} interface. */
  private record StreamOnly(AuditStore store) implements AuditStore {
    @Override
    public StoreHead head() {
      return store.head();
    }

    @Override
    public void append(List<StoredEvent> batch) {
      store.append(batch);
    }

    @Override
    public Stream<StoredEvent> read(long fromSeq) {
      return store.read(fromSeq);
    }

    @Override
    public void putCheckpoint(String note) {
      store.putCheckpoint(note);
    }

    @Override
    public List<String> checkpoints() {
      return store.checkpoints();
    }

    @Override
    public void close() {
      store.close();
    }
  }

  private static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
    }
  }

  private static Path copy() {
    try {
      Path dir = Files.createTempDirectory("audit-scan");
      try (Stream<Path> s = Files.list(template)) {
        for (Path p : s.toList()) {
          if (!p.getFileName().toString().equals("LOCK")) {
            Files.copy(p, dir.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
