package dev.bulwark.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads a file store's files the way the README documents them (frames of
 * {@code magic | u32 length | u32 CRC-32C | body}), independently of {@link FileAuditStore}, so
 * tests know exactly where each complete frame starts and ends.
 */
final class SegmentFrames {
  static final int EVENT_MAGIC = 0x42574131; // "BWA1"
  static final int CHECKPOINT_MAGIC = 0x42574331; // "BWC1"
  private static final Pattern SEGMENT = Pattern.compile("seg-(\\d{20})\\.log");

  private SegmentFrames() {}

  /** One complete, CRC-valid frame at {@code offset}, {@code length} bytes long including its header. */
  record Frame(long offset, int length, byte[] body) {
    long end() {
      return offset + length;
    }

    /** The sequence number of an event frame. */
    long seq() {
      return ByteBuffer.wrap(body).getLong(0);
    }

    /** The tree size of a checkpoint frame (-1 if the note does not parse). */
    long checkpointSize() {
      try {
        return SignedCheckpoint.parse(new String(body, StandardCharsets.UTF_8)).checkpoint().size();
      } catch (AuditFormatException e) {
        return -1;
      }
    }
  }

  /** The complete frames with {@code magic} from the start of {@code file}, up to the first byte that is not one. */
  static List<Frame> frames(Path file, int magic) {
    byte[] b;
    try {
      b = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteBuffer buf = ByteBuffer.wrap(b);
    List<Frame> out = new ArrayList<>();
    int pos = 0;
    while (pos + 12 <= b.length && buf.getInt(pos) == magic) {
      int len = buf.getInt(pos + 4);
      if (len < 0 || len > b.length - pos - 12) {
        break;
      }
      CRC32C crc = new CRC32C();
      crc.update(b, pos + 12, len);
      if ((int) crc.getValue() != buf.getInt(pos + 8)) {
        break;
      }
      byte[] body = new byte[len];
      System.arraycopy(b, pos + 12, body, 0, len);
      out.add(new Frame(pos, 12 + len, body));
      pos += 12 + len;
    }
    return out;
  }

  /** Segment files by first sequence number. */
  static TreeMap<Long, Path> segments(Path dir) {
    TreeMap<Long, Path> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Matcher m = SEGMENT.matcher(p.getFileName().toString());
        if (m.matches() && Files.isRegularFile(p)) {
          out.put(Long.parseLong(m.group(1)), p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
