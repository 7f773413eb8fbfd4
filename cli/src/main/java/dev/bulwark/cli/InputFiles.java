package dev.bulwark.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads whole files with a size limit, and checks the directories the CLI reads. {@link Files#readAllBytes} fails with an
 * {@link OutOfMemoryError} on a file over 2 GiB (or one larger than the heap), so every file the
 * CLI reads whole goes through here: an over-long file is refused before its bytes are read, and a
 * file that grows while it is read is cut off at the limit and refused too.
 */
final class InputFiles {

  /** Key files (master key, chain key, public keys): a key is bytes or one line of text. */
  static final long KEY_FILE_MAX_BYTES = 1L << 20;
  /** Proof bundles, rewrap state and other text files the CLI reads. */
  static final long TEXT_FILE_MAX_BYTES = 64L << 20;
  /** Ciphertext files: {@code Envelope} works on one byte array, which cannot exceed this. */
  static final long CIPHERTEXT_MAX_BYTES = Integer.MAX_VALUE - 8L;

  private InputFiles() {}

  /**
   * The bytes of {@code file}, or an {@link IOException} when it holds more than {@code maxBytes}
   * (checked before reading and again while reading).
   */
  static byte[] read(Path file, long maxBytes) throws IOException {
    long size = Files.size(file);
    if (size > maxBytes) {
      throw new FileTooLargeException(file, size, maxBytes);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) Math.min(maxBytes, Integer.MAX_VALUE - 8L));
      if (bytes.length == maxBytes && in.read() != -1) {
        throw new FileTooLargeException(file, -1, maxBytes);
      }
      return bytes;
    }
  }

  /** Like {@link #read}, with failures as an operator message (exit 3) naming {@code what}. */
  static byte[] read(Path file, String what, long maxBytes) {
    try {
      return read(file, maxBytes);
    } catch (NoSuchFileException e) {
      throw CliException.config(what + " not found: " + file);
    } catch (FileTooLargeException e) {
      throw CliException.config(what + " " + e.getMessage());
    } catch (IOException e) {
      throw CliException.config("cannot read " + what + " " + file + ": " + e.getMessage());
    } catch (OutOfMemoryError e) {
      throw CliException.config(what + " " + file + " does not fit in memory (" + e.getMessage() + ")");
    }
  }

  /** Fails with an operator message (exit 3) unless {@code dir} is an existing directory. */
  static void requireDirectory(Path dir) {
    if (!Files.exists(dir)) {
      throw CliException.config("no such directory: " + dir);
    }
    if (!Files.isDirectory(dir)) {
      throw CliException.config("not a directory: " + dir);
    }
  }

  /** A file over the size the CLI reads whole. */
  static final class FileTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    FileTooLargeException(Path file, long size, long maxBytes) {
      super(file + " is too large: " + (size < 0 ? "more than " + maxBytes : size) + " bytes (at most "
          + maxBytes + " allowed)");
    }
  }
}
