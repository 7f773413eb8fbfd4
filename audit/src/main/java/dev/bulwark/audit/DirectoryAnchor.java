package dev.bulwark.audit;

import dev.bulwark.audit.spi.CheckpointAnchor;
import dev.bulwark.common.internal.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Anchors checkpoints as files in a directory the log's host should not be able to rewrite: a
 * mount of another machine, a WORM or object-lock share, a directory owned by another user.
 * Each checkpoint is written once (temp file, fsync, atomic rename, directory fsync) as
 * {@code <origin-slug>/<size, 20 digits>-<unix seconds>.note} and never overwritten.
 *
 * <p>Thread-safe.
 */
public final class DirectoryAnchor implements CheckpointAnchor {

  private static final Pattern NOTE = Pattern.compile("\\d{20}-\\d+\\.note");
  /** A signed checkpoint note, with any number of signatures a log would carry, is far below this. */
  private static final int MAX_NOTE_BYTES = 64 * 1024;
  private final Path dir;

  public DirectoryAnchor(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  private Path originDir(String origin) {
    StringBuilder slug = new StringBuilder();
    for (char c : origin.toCharArray()) {
      slug.append(Character.isLetterOrDigit(c) || c == '.' || c == '-' ? c : '_');
    }
    return dir.resolve(slug.toString());
  }

  @Override
  public synchronized void submit(SignedCheckpoint checkpoint) {
    Checkpoint c = checkpoint.checkpoint();
    Path od = originDir(c.origin());
    Path target = od.resolve(String.format(Locale.ROOT, "%020d-%d.note", c.size(), c.time().getEpochSecond()));
    try {
      Files.createDirectories(od);
      if (Files.exists(target)) {
        return;
      }
      DurableFiles.write(target, checkpoint.noteBytes());
    } catch (IOException e) {
      throw new AuditStoreException("cannot anchor checkpoint in " + od + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized Optional<String> latest(String origin) {
    Path od = originDir(origin);
    if (!Files.isDirectory(od)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(od)) {
      Optional<Path> newest = files.filter(p -> NOTE.matcher(p.getFileName().toString()).matches())
          .max((a, b) -> compare(a.getFileName().toString(), b.getFileName().toString()));
      if (newest.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new String(DurableFiles.readSmall(newest.get(), MAX_NOTE_BYTES), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AuditStoreException("cannot read anchors in " + od + ": " + e.getMessage(), e);
    }
  }

  private static int compare(String a, String b) {
    int c = a.substring(0, 20).compareTo(b.substring(0, 20));
    if (c != 0) {
      return c;
    }
    return Long.compare(Long.parseLong(a.substring(21, a.length() - 5)), Long.parseLong(b.substring(21, b.length() - 5)));
  }

  @Override
  public String toString() {
    return "DirectoryAnchor[" + dir + "]";
  }
}
