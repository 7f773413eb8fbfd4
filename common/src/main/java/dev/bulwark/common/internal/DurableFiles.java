package dev.bulwark.common.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Replaces small files so that a crash leaves either the old content or the new, never a torn or
 * empty file, and so that the new content survives the crash once the call returns: the bytes go
 * to a temporary sibling that is forced to disk, renamed over the target in one atomic step, and
 * the directory is forced so the rename itself is durable. A file system that cannot rename
 * atomically is refused ({@link AtomicMoveNotSupportedException}) rather than worked around with a
 * copy; a failed call removes its temporary file and leaves the target as it was.
 *
 * <p>Used by every store and tool that keeps state in a file (keyrings, export cursors, checkpoint
 * anchors, segment files, indexes, the CLI's re-wrap progress). Not API: the package is exported
 * only to Bulwark's modules.
 */
public final class DurableFiles {

  private DurableFiles() {}

  /**
   * Writes {@code content} as the whole of {@code target}, creating its directory if needed.
   *
   * @throws AtomicMoveNotSupportedException if the file system cannot rename atomically (the
   *     target is unchanged)
   * @throws IOException if the content cannot be written and forced (the target is unchanged)
   */
  public static void write(Path target, byte[] content) throws IOException {
    Path dir = directoryOf(target);
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      move(tmp, target);
      tmp = null;
    } finally {
      if (tmp != null) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Renames {@code tmp}, already written and forced by the caller, over {@code target} in one
   * atomic step, then forces the directory. {@code tmp} must be in the target's directory.
   *
   * @throws AtomicMoveNotSupportedException if the file system cannot rename atomically ({@code tmp}
   *     is left for the caller to remove, the target is unchanged)
   */
  public static void move(Path tmp, Path target) throws IOException {
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(directoryOf(target));
  }

  /**
   * Forces a directory's entries (new names, renames, deletions) to disk. Windows cannot open a
   * directory for this and makes its renames durable on its own; everywhere else a failure is
   * thrown.
   */
  public static void forceDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
        throw e;
      }
    }
  }

  /**
   * The whole of a small file Bulwark keeps (a prune base, an anchor note, a keyring), refusing
   * one longer than {@code maxBytes} before reading it — a crafted or sparse multi-gigabyte file
   * gets a typed {@link IOException}, not an {@link OutOfMemoryError} — and also one that grows
   * past the limit while it is read.
   *
   * @throws FileTooLargeException if the file holds more than {@code maxBytes} bytes
   */
  public static byte[] readSmall(Path file, int maxBytes) throws IOException {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 0");
    }
    try (java.io.InputStream in = Files.newInputStream(file)) {
      long size = Files.size(file);
      if (size > maxBytes) {
        throw new FileTooLargeException(file, size, maxBytes);
      }
      byte[] b = in.readNBytes(maxBytes);
      if (b.length == maxBytes && in.read() >= 0) {
        throw new FileTooLargeException(file, -1, maxBytes);
      }
      return b;
    }
  }

  /** A file longer than its kind can be: damaged, crafted or not Bulwark's. */
  public static final class FileTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    FileTooLargeException(Path file, long size, int maxBytes) {
      super(file.getFileName() + (size < 0 ? " grew past" : " is " + size + " bytes, more than") + " the "
          + maxBytes + " bytes such a file can hold");
    }
  }

  private static Path directoryOf(Path target) {
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null) {
      throw new IllegalArgumentException("not a file path: " + target);
    }
    return dir;
  }
}
