package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.SegmentFrames.Frame;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.testing.Seeds;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages a real file log (several segments, a retention base, a legal hold, checkpoints, an
 * anchor outside the directory) in hundreds of seeded random ways: flipped bits, cuts, zeroed
 * ranges, appended garbage, deleted, duplicated, swapped and foreign files, frames with a valid
 * CRC around garbage, garbage checkpoint notes. For every case:
 *
 * <ul>
 *   <li>the read-only verifier returns a report whose findings each have a code, a location and a
 *       message, or the store refuses to open with {@link AuditStoreException}; nothing else is
 *       thrown;
 *   <li>damage to what the checkpoints and the anchor cover is an ERROR finding (what cannot
 *       matter, like a deleted legal-hold marker or whole checkpoint frames cut off, may pass);
 *   <li>a writer opening the damaged log either refuses with a typed exception or leaves the
 *       damage reported: it never launders it into an intact log, except for a torn checkpoint
 *       tail, which it recovers and logs.
 * </ul>
 */
class FileCorruptionIT {

  static final String ORIGIN = "corrupt.example/audit";

  @TempDir Path tmp;
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final ChainKey chainKey = ChainKey.generate();

  private enum Damage {
    FLIP_BIT, TRUNCATE, APPEND_GARBAGE, ZERO_RANGE, DELETE, FOREIGN_FILE, FOREIGN_DIRECTORY_NAMED_LIKE_A_SEGMENT,
    DUPLICATE_SEGMENT, SWAP_SEGMENTS, GARBAGE_FRAME_WITH_VALID_CRC, GARBAGE_CHECKPOINT_NOTES
  }

  /** A log of 250 events in segments of 40, retention cut at 80 by a hold on the segment at 80. */
  private void buildPristine(Path dir, Path anchorDir) {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    try (FileAuditStore store = FileAuditStore.open(dir);
        AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer).chainKey(chainKey)
            .anchor(new DirectoryAnchor(anchorDir)).segments(40, Duration.ofDays(365)).checkpointEvery(25, Duration.ofHours(1))
            .build()) {
      for (int i = 0; i < 200; i++) {
        log.append(TestEvents.event(i));
      }
      log.setLegalHold(80, true, Actor.user("legal", "sso"), "case 7");
      now.set(now.get().plus(Duration.ofDays(100)));
      log.applyRetention().orElseThrow();
      for (int i = 200; i < 250; i++) {
        log.append(TestEvents.event(i));
      }
    }
  }

  private AuditVerifier verifier(Path anchorDir) {
    return AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).chainKey(chainKey).anchor(new DirectoryAnchor(anchorDir)).build();
  }

  /** The verifier's report, or null when the store refused to open (a typed refusal is fine). */
  private VerificationReport verifyOrRefuse(Path dir, Path anchorDir, String where) {
    try (FileAuditStore ro = FileAuditStore.openReadOnly(dir)) {
      VerificationReport r = verifier(anchorDir).verify(ro);
      for (Finding f : r.findings()) {
        assertFalse(f.location().isBlank() || f.message().isBlank(), where + ": finding without location or message: " + f);
      }
      return r;
    } catch (AuditStoreException e) {
      assertFalse(e.getMessage() == null || e.getMessage().isBlank(), where + ": refusal without a message");
      return null;
    } catch (RuntimeException e) {
      throw new AssertionError(where + ": the verifier crashed", e);
    }
  }

  @Test
  void randomDamage_givesClearFindingsOrATypedRefusal_neverACrash_andIsNeverLaundered() throws IOException {
    Path pristine = tmp.resolve("pristine");
    Path pristineAnchor = tmp.resolve("pristine-anchor");
    buildPristine(pristine, pristineAnchor);
    VerificationReport clean = verifyOrRefuse(pristine, pristineAnchor, "pristine");
    assertTrue(clean != null && clean.fullyVerified(), clean == null ? "refused" : clean.summary());
    assertTrue(clean.has(FindingCode.PRUNED_WITH_RECEIPT), clean.summary());

    long seed = Long.getLong("corruption.seed", Seeds.forTry(Seeds.seed(), "FileCorruptionIT", 0));
    Random random = new Random(seed);
    int cases = Integer.getInteger("corruption.cases", 220);
    int refusedToRead = 0;
    int refusedToWrite = 0;
    int reportedBroken = 0;
    for (int c = 0; c < cases; c++) {
      Path dir = tmp.resolve("case-" + c);
      Path anchorDir = tmp.resolve("case-" + c + "-anchor");
      FileRollbackIT.copyDirectory(pristine, dir);
      copyTree(pristineAnchor, anchorDir);
      Damage damage = Damage.values()[c % Damage.values().length];
      String what = damage(dir, damage, random);
      String where = "case " + c + " (" + what + ", -Dcorruption.seed=" + seed + ")";

      VerificationReport r = verifyOrRefuse(dir, anchorDir, where);
      if (r == null) {
        refusedToRead++;
      } else if (!r.intact()) {
        reportedBroken++;
      }
      boolean mustBeReported = mustBeReported(damage, what);
      if (mustBeReported) {
        assertTrue(r == null || !r.intact(), () -> where + ": damage went unreported: " + r.summary());
      }

      // A writer opening the damaged log.
      boolean wrote;
      try (FileAuditStore store = FileAuditStore.open(dir);
          AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).chainKey(chainKey)
              .anchor(new DirectoryAnchor(anchorDir)).build()) {
        log.append(TestEvents.event(999));
        wrote = true;
      } catch (AuditException | AuditStoreException e) { // damage, or the file system
        assertFalse(e.getMessage() == null || e.getMessage().isBlank(), where + ": refusal without a message");
        wrote = false;
        refusedToWrite++;
      } catch (RuntimeException e) {
        throw new AssertionError(where + ": the writer crashed", e);
      }
      if (r != null && !r.intact()) {
        VerificationReport after = verifyOrRefuse(dir, anchorDir, where + " after the writer " + (wrote ? "appended" : "refused"));
        // The only repairs allowed concern checkpoints.log alone: unreadable bytes ending it are a
        // torn tail the writer drops and logs, and a deleted one is simply gone. Either way the lost
        // notes only attested the history the writer signs again (the anchor still holds the last one).
        boolean checkpointsOnly = what.contains("checkpoints.log") && after != null && after.intact()
            && (damage == Damage.DELETE || after.findings().stream()
                .anyMatch(f -> f.code() == FindingCode.TORN_TAIL_RECOVERED && f.message().contains("checkpoints.log")));
        assertTrue(after == null || !after.intact() || checkpointsOnly, () -> where + ": the writer laundered the damage: "
            + r.summary() + "\nthen\n" + after.summary());
      }
    }
    System.out.printf("FileCorruptionIT: %d cases (seed %d): %d reported not intact, %d refused by the reader,"
        + " %d refused by the writer%n", cases, seed, reportedBroken, refusedToRead, refusedToWrite);
  }

  /**
   * Whether the damage touches what the checkpoints and the anchor cover, so that the verifier
   * must report it. Not required: damage to legal-hold markers (not part of the verified log),
   * whole checkpoint frames cut off or deleted (the anchor still holds the latest), garbage after
   * the last frame of the open segment (a torn tail, a warning), foreign files (a warning), and
   * changes that leave the bytes or the parsed prune base as they were.
   */
  private static boolean mustBeReported(Damage damage, String what) {
    if (what.contains("no change") || what.contains(".hold") || what.contains("harmless")) {
      return false;
    }
    return switch (damage) {
      case FOREIGN_FILE, FOREIGN_DIRECTORY_NAMED_LIKE_A_SEGMENT -> false;
      case DELETE -> !what.contains("checkpoints.log");
      default -> true;
    };
  }

  /** Applies one random instance of {@code damage} to the log in {@code dir}; returns what it did. */
  private static String damage(Path dir, Damage damage, Random random) throws IOException {
    TreeMap<Long, Path> segments = SegmentFrames.segments(dir);
    List<Path> segs = new ArrayList<>(segments.values());
    Path open = segments.lastEntry().getValue();
    Path checkpoints = dir.resolve("checkpoints.log");
    Path base = dir.resolve("base");
    List<Path> data = new ArrayList<>(segs);
    data.add(checkpoints);
    data.add(base);
    Path target = data.get(random.nextInt(data.size()));
    byte[] bytes = Files.readAllBytes(target);
    String name = target.getFileName().toString();
    switch (damage) {
      case FLIP_BIT -> {
        int at = random.nextInt(bytes.length);
        byte[] changed = bytes.clone();
        changed[at] ^= (byte) (1 << random.nextInt(8));
        Files.write(target, changed);
        return "flip a bit of byte " + at + " of " + name + baseEffect(target, bytes, changed);
      }
      case TRUNCATE -> {
        int at = random.nextInt(bytes.length);
        truncate(target, at);
        boolean wholeCheckpoints = target.equals(checkpoints)
            && SegmentFrames.frames(checkpoints, SegmentFrames.CHECKPOINT_MAGIC).stream().anyMatch(f -> f.end() == at);
        return "cut " + name + " at " + at + (wholeCheckpoints ? " (whole checkpoint frames: harmless)" : "")
            + baseEffect(target, bytes, Arrays.copyOf(bytes, at));
      }
      case APPEND_GARBAGE -> {
        byte[] junk = new byte[1 + random.nextInt(512)];
        random.nextBytes(junk);
        Files.write(target, junk, StandardOpenOption.APPEND);
        byte[] changed = Files.readAllBytes(target);
        return "append " + junk.length + " random bytes to " + name + (target.equals(open) ? " (a torn tail: harmless)" : "")
            + baseEffect(target, bytes, changed);
      }
      case ZERO_RANGE -> {
        int from = random.nextInt(bytes.length);
        int to = Math.min(bytes.length, from + 1 + random.nextInt(64));
        byte[] changed = bytes.clone();
        Arrays.fill(changed, from, to, (byte) 0);
        Files.write(target, changed);
        return "zero bytes " + from + ".." + to + " of " + name + (Arrays.equals(bytes, changed) ? " (no change)" : "")
            + baseEffect(target, bytes, changed);
      }
      case DELETE -> {
        List<Path> deletable = new ArrayList<>(data);
        try (var files = Files.list(dir)) {
          files.filter(p -> p.getFileName().toString().endsWith(".hold")).forEach(deletable::add);
        }
        Path victim = deletable.get(random.nextInt(deletable.size()));
        Files.delete(victim);
        return "delete " + victim.getFileName();
      }
      case FOREIGN_FILE -> {
        byte[] junk = new byte[random.nextInt(300)];
        random.nextBytes(junk);
        String foreign = List.of("notes.txt", "seg-1.log", "seg-00000000000000000080.log.tmp", "checkpoints.log~", "base.old")
            .get(random.nextInt(5));
        Files.write(dir.resolve(foreign), junk);
        return "add foreign file " + foreign;
      }
      case FOREIGN_DIRECTORY_NAMED_LIKE_A_SEGMENT -> {
        Path d;
        do {
          d = dir.resolve(String.format(Locale.ROOT, "seg-%020d.log", 100 + random.nextInt(200)));
        } while (Files.exists(d));
        Files.createDirectory(d);
        return "add directory " + d.getFileName();
      }
      case DUPLICATE_SEGMENT -> {
        Path src = segs.get(random.nextInt(segs.size() - 1)); // a sealed one, with events
        long first = segments.entrySet().stream().filter(e -> e.getValue().equals(src)).findFirst().orElseThrow().getKey();
        Path copy;
        do {
          copy = dir.resolve(String.format(Locale.ROOT, "seg-%020d.log", first + 1 + random.nextInt(39)));
        } while (Files.exists(copy));
        Files.copy(src, copy);
        return "duplicate " + src.getFileName() + " as " + copy.getFileName();
      }
      case SWAP_SEGMENTS -> {
        int i = random.nextInt(segs.size() - 1);
        int j = i + 1 + random.nextInt(segs.size() - 1 - i);
        byte[] a = Files.readAllBytes(segs.get(i));
        byte[] b = Files.readAllBytes(segs.get(j));
        if (Arrays.equals(a, b)) {
          return "swap two equal segments (no change)";
        }
        Files.write(segs.get(i), b);
        Files.write(segs.get(j), a);
        return "swap the contents of " + segs.get(i).getFileName() + " and " + segs.get(j).getFileName();
      }
      case GARBAGE_FRAME_WITH_VALID_CRC -> {
        Path seg = segs.get(random.nextInt(segs.size()));
        List<Frame> frames = SegmentFrames.frames(seg, SegmentFrames.EVENT_MAGIC);
        byte[] seg0 = Files.readAllBytes(seg);
        int at = frames.isEmpty() ? 0 : (int) frames.get(random.nextInt(frames.size())).offset();
        byte[] body = new byte[random.nextInt(200)];
        random.nextBytes(body);
        if (random.nextBoolean() && body.length >= 8) {
          System.arraycopy(seg0, Math.min(at + 12, Math.max(0, seg0.length - 8)), body, 0, Math.min(8, seg0.length)); // a plausible seq
        }
        byte[] frame = AuditFrame.frame(SegmentFrames.EVENT_MAGIC, body);
        byte[] changed = new byte[seg0.length + frame.length];
        System.arraycopy(seg0, 0, changed, 0, at);
        System.arraycopy(frame, 0, changed, at, frame.length);
        System.arraycopy(seg0, at, changed, at + frame.length, seg0.length - at);
        Files.write(seg, changed);
        return "insert a " + frame.length + "-byte frame with a valid CRC around garbage into " + seg.getFileName() + " at " + at;
      }
      case GARBAGE_CHECKPOINT_NOTES -> {
        List<Frame> frames = SegmentFrames.frames(checkpoints, SegmentFrames.CHECKPOINT_MAGIC);
        Frame victim = frames.get(random.nextInt(frames.size()));
        String note = new String(victim.body(), StandardCharsets.UTF_8);
        String[] variants = {
          note.replace(ORIGIN, "other.example/audit"),
          note.substring(0, note.length() / 2),
          "not a note at all\n",
          note.replaceFirst("\n\\d+\n", "\n99999999\n"),
          note.replace("\n\n", "\nextra line\n\n"),
          "",
        };
        String bad = variants[random.nextInt(variants.length)];
        byte[] frame = AuditFrame.encodeCheckpoint(bad);
        byte[] all = Files.readAllBytes(checkpoints);
        byte[] changed = new byte[all.length - victim.length() + frame.length];
        System.arraycopy(all, 0, changed, 0, (int) victim.offset());
        System.arraycopy(frame, 0, changed, (int) victim.offset(), frame.length);
        System.arraycopy(all, (int) victim.end(), changed, (int) victim.offset() + frame.length, all.length - (int) victim.end());
        Files.write(checkpoints, changed);
        return "replace checkpoint note at " + victim.offset() + " by a bad one (" + bad.length() + " chars)"
            + (bad.equals(note) ? " (no change)" : "");
      }
      default -> throw new IllegalStateException(damage.toString());
    }
  }

  /** For the base file: whether the prune base still parses, and to the same value (then the change is harmless). */
  private static String baseEffect(Path target, byte[] before, byte[] after) {
    if (!target.getFileName().toString().equals("base")) {
      return "";
    }
    PruneBase was = PruneBase.fromText(new String(before, StandardCharsets.UTF_8));
    try {
      PruneBase now = PruneBase.fromText(new String(after, StandardCharsets.UTF_8));
      return now.equals(was) ? " (the base parses the same: harmless)" : "";
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Map<Path, Path> pairs;
    try (var files = Files.walk(from)) {
      pairs = files.collect(Collectors.toMap(p -> p, p -> to.resolve(from.relativize(p).toString())));
    }
    for (Map.Entry<Path, Path> e : new TreeMap<>(pairs).entrySet()) {
      if (Files.isDirectory(e.getKey())) {
        Files.createDirectories(e.getValue());
      } else {
        Files.copy(e.getKey(), e.getValue());
      }
    }
  }
}
