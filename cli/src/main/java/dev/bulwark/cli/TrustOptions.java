package dev.bulwark.cli;

import dev.bulwark.audit.AuditFormatException;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.CheckpointKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import picocli.CommandLine.Option;

/** Public keys and the chain key a verifier trusts. A picocli mixin. */
final class TrustOptions {

  @Option(names = "--public-key", paramLabel = "VKEY",
      description = "A trusted checkpoint verifier key (signed-note text <name>+<keyid>+<base64>). Repeatable.")
  List<String> publicKeys = new ArrayList<>();

  @Option(names = "--public-key-file", paramLabel = "FILE",
      description = "A file of trusted verifier keys, one per line. Repeatable.")
  List<Path> publicKeyFiles = new ArrayList<>();

  /** The trusted keys; a malformed one is a usage error, a missing file a configuration error. */
  List<CheckpointKey> keys() {
    List<String> texts = new ArrayList<>(publicKeys);
    for (Path f : publicKeyFiles) {
      for (String line : Files2.readString(f, "public key file", InputFiles.KEY_FILE_MAX_BYTES).lines().toList()) {
        if (!line.isBlank() && !line.startsWith("#")) {
          texts.add(line.trim());
        }
      }
    }
    List<CheckpointKey> keys = new ArrayList<>();
    for (String t : texts) {
      try {
        keys.add(CheckpointKey.parse(t));
      } catch (AuditFormatException e) {
        throw new CliException(ExitCode.USAGE, "bad public key '" + abbreviate(t) + "': " + e.getMessage());
      }
    }
    return keys;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** Reads a chain key file: the raw key (at least 32 bytes) or its base64 text. */
  static ChainKey chainKey(Path file) {
    byte[] raw = InputFiles.read(file, "chain key file", InputFiles.KEY_FILE_MAX_BYTES);
    byte[] key = decodeKeyText(raw);
    try {
      return ChainKey.of(key);
    } catch (IllegalArgumentException e) {
      throw CliException.config("chain key file " + file + ": " + e.getMessage());
    } finally {
      java.util.Arrays.fill(key, (byte) 0);
      java.util.Arrays.fill(raw, (byte) 0);
    }
  }

  /** A key file holds raw bytes, or base64 text of them (one line). */
  static byte[] decodeKeyText(byte[] raw) {
    String text = new String(raw, StandardCharsets.US_ASCII).trim();
    if (text.matches("[A-Za-z0-9+/=_-]{40,}")) {
      try {
        return text.contains("-") || text.contains("_") ? Base64.getUrlDecoder().decode(text)
            : Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        // Not base64 after all: raw bytes that happen to be printable.
      }
    }
    return raw.clone();
  }

  /** Small file helpers that turn I/O failures into operator messages. */
  static final class Files2 {
    private Files2() {}

    /** At most {@link InputFiles#TEXT_FILE_MAX_BYTES}; a larger file is a configuration error. */
    static byte[] readBytes(Path file, String what) {
      return InputFiles.read(file, what, InputFiles.TEXT_FILE_MAX_BYTES);
    }

    static String readString(Path file, String what) {
      return new String(readBytes(file, what), StandardCharsets.UTF_8);
    }

    static String readString(Path file, String what, long maxBytes) {
      return new String(InputFiles.read(file, what, maxBytes), StandardCharsets.UTF_8);
    }

    static List<String> readLines(Path file, String what) {
      return readString(file, what).lines().toList();
    }
  }
}
