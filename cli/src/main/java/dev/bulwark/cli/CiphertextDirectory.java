package dev.bulwark.cli;

import dev.bulwark.common.Bytes;
import dev.bulwark.common.internal.DurableFiles;
import dev.bulwark.crypto.spi.CiphertextSink;
import dev.bulwark.crypto.spi.CiphertextSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory of ciphertext files as a bulk-rewrap source and sink. Items are the regular files
 * directly in the directory whose names do not start with '.', in name order; the id is the file
 * name. A replacement is compare-and-set (the file must still hold the bytes that were read) and
 * atomic (temporary file, fsync, rename), so an interrupted rewrap leaves every file either old or
 * new, never torn.
 */
final class CiphertextDirectory implements CiphertextSource, CiphertextSink {

  private final Path dir;

  CiphertextDirectory(Path dir) {
    this.dir = dir;
  }

  /** The item names, sorted. */
  List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith(".")).sorted().toList();
    }
  }

  @Override
  public List<Item> page(Optional<String> afterId, int limit) throws IOException {
    List<Item> out = new ArrayList<>();
    for (String name : names()) {
      if (afterId.isPresent() && name.compareTo(afterId.get()) <= 0) {
        continue;
      }
      if (out.size() == limit) {
        break;
      }
      out.add(new Item(name, Bytes.copyOf(InputFiles.read(dir.resolve(name), InputFiles.CIPHERTEXT_MAX_BYTES))));
    }
    return out;
  }

  @Override
  public synchronized boolean replace(String id, Bytes expected, Bytes replacement) throws IOException {
    Path target = dir.resolve(id);
    if (!MessageDigest.isEqual(InputFiles.read(target, InputFiles.CIPHERTEXT_MAX_BYTES), expected.toByteArray())) {
      return false;
    }
    DurableFiles.write(target, replacement.toByteArray());
    return true;
  }
}
