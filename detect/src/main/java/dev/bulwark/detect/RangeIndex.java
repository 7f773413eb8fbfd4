package dev.bulwark.detect;

import dev.bulwark.common.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An offline breached-password store: the k-anonymity range files (one file per 5-hex SHA-1
 * prefix, named {@code XXXXX.txt}, lines {@code SUFFIX:COUNT}) compacted into one indexed file.
 *
 * <pre>
 * "BWRANGE1" | 2^20 + 1 big-endian longs: index of each prefix's first record
 *            | records sorted by hash: 18 hash bytes (after the first two) + 4-byte count (saturated)
 * </pre>
 *
 * A lookup reads the prefix's records (about 500 for the public corpus) with one positional read
 * and binary-searches them. {@link #build} writes a temporary file and renames it over the target
 * only when every range parsed, so a malformed range file leaves an existing index as it was.
 * Thread-safe.
 */
public final class RangeIndex implements BreachedPasswords, AutoCloseable {

  private static final byte[] MAGIC = "BWRANGE1".getBytes(StandardCharsets.US_ASCII);
  private static final int PREFIXES = 1 << 20;
  private static final int RECORD = 22;
  private static final long HEADER = MAGIC.length + (PREFIXES + 1L) * 8;

  private final FileChannel channel;
  private final long[] index;

  private RangeIndex(FileChannel channel, long[] index) {
    this.channel = channel;
    this.index = index;
  }

  /**
   * Builds an index from the range files in {@code rangesDir} (missing prefixes are empty).
   *
   * @return the number of hashes indexed
   * @throws RangeFormatException naming the file and line of the first malformed entry
   */
  public static long build(Path rangesDir, Path indexFile) throws IOException {
    Objects.requireNonNull(rangesDir, "rangesDir");
    Path tmp = indexFile.resolveSibling(indexFile.getFileName() + ".building");
    long records = 0;
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long[] starts = new long[PREFIXES + 1];
      Path[] files = new Path[PREFIXES];
      try (java.util.stream.Stream<Path> listing = Files.list(rangesDir)) {
        for (Path f : (Iterable<Path>) listing::iterator) {
          String name = f.getFileName().toString();
          if (name.length() == 9 && name.endsWith(".txt")) {
            try {
              files[Integer.parseInt(name.substring(0, 5), 16)] = f;
            } catch (NumberFormatException e) {
              // not a range file
            }
          }
        }
      }
      out.position(HEADER);
      ByteBuffer buf = ByteBuffer.allocate(RECORD * 4096);
      for (int p = 0; p < PREFIXES; p++) {
        starts[p] = records;
        Path f = files[p];
        if (f == null) {
          continue;
        }
        String prefix = String.format(Locale.ROOT, "%05X", p);
        if (Files.size(f) > 64L * 1024 * 1024) {
          throw new RangeFormatException(f + ": larger than any range file (64 MiB)");
        }
        List<RangeLines.Entry> entries = RangeLines.parse(prefix, Files.readString(f, StandardCharsets.US_ASCII),
            f.getFileName().toString());
        entries.sort((a, b) -> Arrays.compareUnsigned(a.tail(), b.tail()));
        for (int i = 1; i < entries.size(); i++) {
          if (Arrays.equals(entries.get(i - 1).tail(), entries.get(i).tail())) {
            throw new RangeFormatException(f.getFileName() + ": a suffix appears twice");
          }
        }
        for (RangeLines.Entry e : entries) {
          if (buf.remaining() < RECORD) {
            write(out, buf);
          }
          buf.put(e.tail()).putInt((int) Math.min(Integer.MAX_VALUE, e.count()));
          records++;
        }
      }
      write(out, buf);
      starts[PREFIXES] = records;
      ByteBuffer head = ByteBuffer.allocate((int) HEADER);
      head.put(MAGIC);
      for (long s : starts) {
        head.putLong(s);
      }
      head.flip();
      out.position(0);
      while (head.hasRemaining()) {
        out.write(head);
      }
      out.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    try {
      DurableFiles.move(tmp, indexFile);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return records;
  }

  private static void write(FileChannel out, ByteBuffer buf) throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      out.write(buf);
    }
    buf.clear();
  }

  /**
   * Opens an index built by {@link #build}.
   *
   * @throws RangeFormatException if the file is not such an index (wrong magic, truncated, inconsistent)
   */
  public static RangeIndex open(Path indexFile) throws IOException {
    FileChannel ch = FileChannel.open(indexFile, StandardOpenOption.READ);
    try {
      long size = ch.size();
      if (size < HEADER) {
        throw new RangeFormatException(indexFile + " is not a range index (too short)");
      }
      ByteBuffer head = ByteBuffer.allocate((int) HEADER);
      while (head.hasRemaining()) {
        if (ch.read(head, head.position()) < 0) {
          throw new RangeFormatException(indexFile + " is truncated");
        }
      }
      head.flip();
      byte[] magic = new byte[MAGIC.length];
      head.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new RangeFormatException(indexFile + " is not a range index (bad magic)");
      }
      long[] index = new long[PREFIXES + 1];
      long last = 0;
      for (int i = 0; i <= PREFIXES; i++) {
        index[i] = head.getLong();
        if (index[i] < last) {
          throw new RangeFormatException(indexFile + " has a decreasing index at prefix " + i);
        }
        last = index[i];
      }
      if (HEADER + last * RECORD != size) {
        throw new RangeFormatException(indexFile + " holds " + size + " bytes, its index says " + (HEADER + last * RECORD));
      }
      return new RangeIndex(ch, index);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** @throws DetectStoreException if the index file cannot be read */
  @Override
  public long timesSeen(byte[] sha1) {
    if (sha1.length != 20) {
      throw new IllegalArgumentException("a SHA-1 is 20 bytes");
    }
    try {
      return lookUp(sha1);
    } catch (IOException e) {
      throw new DetectStoreException("range index could not be read", e);
    }
  }

  private long lookUp(byte[] sha1) throws IOException {
    int prefix = ((sha1[0] & 0xff) << 12) | ((sha1[1] & 0xff) << 4) | ((sha1[2] & 0xff) >>> 4);
    long from = index[prefix];
    long to = index[prefix + 1];
    int n = (int) (to - from);
    if (n == 0) {
      return 0;
    }
    ByteBuffer buf = ByteBuffer.allocate(n * RECORD);
    long pos = HEADER + from * RECORD;
    while (buf.hasRemaining()) {
      if (channel.read(buf, pos + buf.position()) < 0) {
        throw new RangeFormatException("range index truncated while reading prefix " + prefix);
      }
    }
    byte[] records = buf.array();
    int lo = 0;
    int hi = n - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Arrays.compareUnsigned(records, mid * RECORD, mid * RECORD + 18, sha1, 2, 20);
      if (c == 0) {
        return ByteBuffer.wrap(records, mid * RECORD + 18, 4).getInt() & 0xffffffffL;
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return 0;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
