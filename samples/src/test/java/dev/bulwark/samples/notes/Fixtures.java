package dev.bulwark.samples.notes;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.bulwark.authn.totp.TotpSecret;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.spec.SecretKeySpec;

/** Shared by the HTTP test and the browser IT. */
final class Fixtures {
  private Fixtures() {}

  /** The TOTP code an authenticator app would show for the Base32 {@code secret} at {@code at}. */
  static String totp(String secret, Instant at) throws InvalidKeyException {
    TimeBasedOneTimePasswordGenerator gen = new TimeBasedOneTimePasswordGenerator(Duration.ofSeconds(30), 6);
    return gen.generateOneTimePasswordString(
        new SecretKeySpec(TotpSecret.fromBase32(secret).copyBytes(), gen.getAlgorithm()), at);
  }

  /** Flips one byte a third of the way into the first audit segment file; returns the file. */
  static Path tamperAuditLog(Path auditDir) throws IOException {
    List<Path> segments;
    try (Stream<Path> s = Files.list(auditDir)) {
      segments = s.filter(p -> p.getFileName().toString().matches("seg-\\d+\\.log"))
          .sorted(Comparator.comparing(Path::toString)).toList();
    }
    if (segments.isEmpty()) {
      throw new IOException("no audit segment in " + auditDir);
    }
    Path seg = segments.get(0);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      long at = f.length() / 3;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x01);
      f.getFD().sync();
    }
    return seg;
  }
}
