package dev.bulwark.crypto;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Child-JVM program for {@link LargeStreamIT}: pushes {@code args[0]} bytes through streaming
 * encryption and decryption over an OS pipe and checks every plaintext byte. Prints
 * {@code OK <bytes> maxHeap=<bytes>} and exits 0 on success.
 */
final class LargeStreamMain {
  private static final int BASE = 65_536 + 13;

  private LargeStreamMain() {}

  static byte expected(byte[] base, long pos) {
    return (byte) (base[(int) (pos % BASE)] + (byte) (pos / BASE));
  }

  public static void main(String[] args) throws Exception {
    long total = Long.parseLong(args[0]);
    byte[] base = new byte[BASE];
    new Random(42).nextBytes(base);
    Envelope env = Envelope.builder(new Fixture().keyrings).build();
    EncryptionContext ctx = EncryptionContext.of("file", "large.bin");
    Pipe pipe = Pipe.open();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<Void> writer = pool.submit(() -> {
      byte[] block = new byte[BASE];
      try (OutputStream out = env.newEncryptingStream(Channels.newOutputStream(pipe.sink()), ctx)) {
        long written = 0;
        for (long k = 0; written < total; k++) {
          for (int j = 0; j < BASE; j++) {
            block[j] = (byte) (base[j] + (byte) k);
          }
          int n = (int) Math.min(BASE, total - written);
          out.write(block, 0, n);
          written += n;
        }
      }
      return null;
    });
    long pos = 0;
    byte[] buf = new byte[100_000];
    try (InputStream in = env.newDecryptingStream(Channels.newInputStream(pipe.source()), ctx)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] != expected(base, pos + i)) {
            System.out.println("MISMATCH at " + (pos + i));
            System.exit(2);
          }
        }
        pos += n;
      }
    }
    writer.get();
    pool.shutdown();
    if (pos != total) {
      System.out.println("LENGTH " + pos);
      System.exit(3);
    }
    System.out.println("OK " + pos + " maxHeap=" + Runtime.getRuntime().maxMemory());
  }
}
