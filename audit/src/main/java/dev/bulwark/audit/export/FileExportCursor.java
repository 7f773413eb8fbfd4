package dev.bulwark.audit.export;

import dev.bulwark.common.internal.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A cursor kept in one small text file:
 *
 * <pre>
 * bulwark-audit-export-cursor 1
 * origin &lt;log origin&gt;
 * next &lt;sequence number&gt;
 * </pre>
 *
 * A commit writes a temporary file beside it, forces it, renames it over the old one atomically
 * and forces the directory, so a crash leaves either the old or the new position. A file that
 * does not parse, or names another log, is refused with an {@link IOException} and left as it is
 * (the exporter never guesses a position). Thread-safe.
 */
public final class FileExportCursor implements ExportCursor {

  private static final String HEADER = "bulwark-audit-export-cursor 1";
  private static final Pattern NUMBER = Pattern.compile("0|[1-9][0-9]{0,18}");
  private final Path file;
  private final String origin;
  private long next;

  private FileExportCursor(Path file, String origin, long next) {
    this.file = file;
    this.origin = origin;
    this.next = next;
  }

  /**
   * Opens the cursor in {@code file} for the log {@code origin}; a missing file starts at
   * {@code start} (and is written on the first commit).
   *
   * @throws IOException if the file cannot be read, does not parse, or belongs to another log
   */
  public static FileExportCursor open(Path file, String origin, long start) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(origin, "origin");
    String text;
    try {
      if (Files.size(file) > 4096) {
        throw new IOException("export cursor " + file + " is not a cursor file (too large)");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new FileExportCursor(file, origin, start);
    }
    String[] lines = text.split("\n", -1);
    if (lines.length != 4 || !lines[0].equals(HEADER) || !lines[1].startsWith("origin ")
        || !lines[2].startsWith("next ") || !lines[3].isEmpty() || !NUMBER.matcher(lines[2].substring(5)).matches()) {
      throw new IOException("export cursor " + file + " is malformed; expected '" + HEADER + "', 'origin', 'next' lines");
    }
    if (!lines[1].substring(7).equals(origin)) {
      throw new IOException("export cursor " + file + " belongs to another log, not " + origin);
    }
    try {
      return new FileExportCursor(file, origin, Long.parseLong(lines[2].substring(5)));
    } catch (NumberFormatException e) {
      throw new IOException("export cursor " + file + " holds an out-of-range position", e);
    }
  }

  @Override
  public synchronized long next() {
    return next;
  }

  @Override
  public synchronized void commit(long newNext) throws IOException {
    if (newNext < 0) {
      throw new IllegalArgumentException("position must be >= 0");
    }
    byte[] body = (HEADER + "\norigin " + origin + "\nnext " + newNext + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      DurableFiles.write(file, body);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + file + " cannot rename atomically; keep the cursor elsewhere", e);
    }
    next = newNext;
  }

  @Override
  public String toString() {
    return "FileExportCursor[" + file + "]";
  }
}
