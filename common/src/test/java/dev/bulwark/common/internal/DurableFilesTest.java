package dev.bulwark.common.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {

  @TempDir
  Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void write_replacesTheWholeFile_andLeavesNoTemporaryFile() throws IOException {
    Path f = dir.resolve("state");
    DurableFiles.write(f, "a much longer first version".getBytes(StandardCharsets.UTF_8));
    DurableFiles.write(f, "short".getBytes(StandardCharsets.UTF_8));
    assertEquals("short", Files.readString(f), "no tail of the longer version is left");
    assertEquals(List.of("state"), names());
  }

  @Test
  void write_createsTheDirectory() throws IOException {
    Path f = dir.resolve("a").resolve("b").resolve("state");
    DurableFiles.write(f, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
  }

  /** A target the rename cannot replace (a non-empty directory): the target and the directory are as before. */
  @Test
  void aFailedWrite_leavesTheTargetAsItWas_andNoTemporaryFile() throws IOException {
    Path target = dir.resolve("target");
    Files.createDirectory(target);
    Files.writeString(target.resolve("inside"), "kept");
    assertThrows(IOException.class, () -> DurableFiles.write(target, "new".getBytes(StandardCharsets.UTF_8)));
    assertEquals("kept", Files.readString(target.resolve("inside")));
    assertEquals(List.of("target"), names());
  }

  @Test
  void move_renamesOverTheTarget() throws IOException {
    Path tmp = dir.resolve("x.tmp");
    Path target = dir.resolve("x");
    Files.writeString(target, "old");
    Files.writeString(tmp, "new");
    DurableFiles.move(tmp, target);
    assertEquals("new", Files.readString(target));
    assertEquals(List.of("x"), names());
  }

  @Test
  void readSmall_readsUpToTheLimit_andRefusesMore_withoutReadingIt() throws IOException {
    Path f = dir.resolve("small");
    DurableFiles.write(f, new byte[] {1, 2, 3, 4});
    assertArrayEquals(new byte[] {1, 2, 3, 4}, DurableFiles.readSmall(f, 4));
    DurableFiles.FileTooLargeException e = assertThrows(DurableFiles.FileTooLargeException.class, () -> DurableFiles.readSmall(f, 3));
    assertEquals("small is 4 bytes, more than the 3 bytes such a file can hold", e.getMessage());
    Path huge = dir.resolve("huge");
    try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      r.setLength(3L << 30); // sparse: reading it whole would need 3 GiB of heap
    }
    assertThrows(DurableFiles.FileTooLargeException.class, () -> DurableFiles.readSmall(huge, 64 * 1024));
    assertThrows(java.nio.file.NoSuchFileException.class, () -> DurableFiles.readSmall(dir.resolve("absent"), 10));
  }

  /** Concurrent writers of one file: each read sees one whole version, never a mix or a torn one. */
  @Test
  void concurrentWriters_andReaders_onlyEverSeeWholeVersions() {
    PropertyRunner.forAll(5, c -> {
      int writers = c.draw("writers", Generators.ints(2, 6));
      int size = c.draw("size", Generators.ints(1, 70_000));
      Path f = dir.resolve("shared-" + writers + "-" + size);
      DurableFiles.write(f, version(0, size));
      ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
      try {
        List<Future<?>> done = new java.util.ArrayList<>();
        for (int w = 1; w <= writers; w++) {
          int id = w;
          done.add(pool.submit(() -> {
            for (int i = 0; i < 20; i++) {
              DurableFiles.write(f, version(id, size));
            }
            return null;
          }));
        }
        Future<?> reader = pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            byte[] b = Files.readAllBytes(f);
            assertEquals(size, b.length, "a read saw a torn file");
            for (byte x : b) {
              assertEquals(b[0], x, "a read saw two versions mixed");
            }
          }
          return null;
        });
        for (Future<?> d : done) {
          d.get();
        }
        reader.get();
      } finally {
        pool.shutdownNow();
      }
      try (Stream<Path> s = Files.list(dir)) {
        assertEquals(0, s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(), "temporary files left");
      }
    });
  }

  private static byte[] version(int id, int size) {
    byte[] b = new byte[size];
    java.util.Arrays.fill(b, (byte) id);
    return b;
  }
}
