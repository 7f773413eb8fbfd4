package dev.bulwark.cli;

import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditException;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.Checkpoint;
import dev.bulwark.audit.CheckpointKey;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.SignedCheckpoint;
import dev.bulwark.audit.UnsealedHistoryException;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.common.Bytes;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code audit recover}: the explicit, attributed acceptance of stored events that no signed
 * checkpoint covers (checkpoints lost or deleted), after which the writer signs again. What was
 * accepted, by whom and why is logged as an event in the log itself; the verifier reports it
 * (HISTORY_ACCEPTED) from then on. It never repairs or removes anything.
 */
@Command(name = "recover", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Accept, as a named operator and with a reason, stored events that no signed checkpoint covers, "
        + "so the writer signs the log again. Run 'audit verify' first and keep its report.",
        "The acceptance (range, Merkle root, chain head, operator, reason) is logged as an event in the log. "
            + "Exit 0 when accepted or when nothing needed accepting; 5 when the log is refused for another reason "
            + "(tampering is never accepted)."},
    footerHeading = "%nExample:%n",
    footer = "  bulwark audit recover /var/lib/app/audit --public-key-file audit.vkey --signing-key-file audit.p8 "
        + "--operator alice --reason \"checkpoints.log lost with disk sdb, ticket 4711\"")
final class AuditRecover extends Subcommand {
  @Mixin
  AuditSource source;

  @Mixin
  TrustOptions trust;

  @Option(names = "--signing-key-file", required = true, paramLabel = "FILE",
      description = "The log's Ed25519 checkpoint signing key: PKCS#8, DER or PEM ('BEGIN PRIVATE KEY').")
  Path signingKeyFile;

  @Option(names = "--chain-key-file", paramLabel = "FILE",
      description = "The HMAC chain key (raw bytes or base64) if the log is keyed; every MAC is checked.")
  Path chainKeyFile;

  @Option(names = "--operator", required = true, paramLabel = "ID", description = "Who accepts the history (logged).")
  String operator;

  @Option(names = "--operator-auth", paramLabel = "METHOD", defaultValue = "cli",
      description = "How the operator authenticated (logged; default: ${DEFAULT-VALUE}).")
  String operatorAuth;

  @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (logged), e.g. an incident ticket.")
  String reason;

  @Override
  public Integer call() {
    if (reason.isBlank() || operator.isBlank()) {
      throw new CliException(ExitCode.USAGE, "--operator and --reason must not be blank");
    }
    List<CheckpointKey> keys = trust.keys();
    if (keys.size() != 1) {
      throw new CliException(ExitCode.USAGE, "give exactly one --public-key(-file) key: the signing key's public half");
    }
    CheckpointSigner signer = signer(keys.get(0));
    Actor by = Actor.user(operator, operatorAuth);
    PrintWriter out = out();
    try (AuditStore store = source.openForWriting(env())) {
      String origin = source.origin(store, keys);
      UnsealedHistoryException pending;
      try (AuditLog log = builder(origin, store, signer).build()) {
        out.println("nothing to recover: " + log.size() + " events, sealed as far as a crash can leave them");
        out.flush();
        return ExitCode.OK;
      } catch (UnsealedHistoryException e) {
        pending = e;
      }
      try (AuditLog log = builder(origin, store, signer).acceptUnsealedHistory(by, reason).build()) {
        long from = Math.max(pending.sealedSize(), store.head().base().firstSeq());
        out.println("accepted events " + from + ".." + pending.storedSize() + " (last signed checkpoint size "
            + pending.sealedSize() + ") as " + operator + "; logged as an audit_log_recovered event; "
            + "the log now has " + log.size() + " events and a new signed checkpoint");
        out.flush();
        return ExitCode.OK;
      }
    } catch (AuditException e) {
      throw new CliException(ExitCode.REFUSED, "recovery refused: " + e.getMessage());
    }
  }

  private AuditLog.Builder builder(String origin, AuditStore store, CheckpointSigner signer) {
    AuditLog.Builder b = AuditLog.builder(origin, store).signer(signer).clock(env().clock());
    if (chainKeyFile != null) {
      b.chainKey(TrustOptions.chainKey(chainKeyFile));
    }
    return b;
  }

  /** The signing key, checked against the public key by signing a probe checkpoint. */
  private CheckpointSigner signer(CheckpointKey publicKey) {
    byte[] raw = TrustOptions.Files2.readBytes(signingKeyFile, "signing key file");
    byte[] pkcs8 = null;
    try {
      pkcs8 = pkcs8(raw);
      CheckpointSigner s = CheckpointSigner.fromPkcs8(publicKey.name(), pkcs8, publicKey);
      Checkpoint probe = new Checkpoint("bulwark-cli/key-check", 0, Bytes.of(new byte[32]), Bytes.of(new byte[32]), 0,
          Instant.EPOCH);
      if (SignedCheckpoint.sign(probe, List.of(s)).verifiedBy(List.of(publicKey)).isEmpty()) {
        throw CliException.config("the signing key does not belong to the public key " + publicKey.name());
      }
      return s;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw CliException.config("signing key file " + signingKeyFile + " is not an Ed25519 PKCS#8 key");
    } finally {
      Arrays.fill(raw, (byte) 0);
      if (pkcs8 != null) {
        Arrays.fill(pkcs8, (byte) 0);
      }
    }
  }

  private static byte[] pkcs8(byte[] raw) {
    String text = new String(raw, StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    if (begin < 0) {
      return raw.clone();
    }
    int end = text.indexOf("-----END PRIVATE KEY-----", begin);
    if (end < 0) {
      throw new IllegalArgumentException("unterminated PEM");
    }
    return Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
  }
}
