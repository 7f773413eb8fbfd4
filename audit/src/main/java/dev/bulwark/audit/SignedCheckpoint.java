package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import dev.bulwark.common.internal.ByteAccess;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A checkpoint with one or more signatures, as a C2SP signed note:
 *
 * <pre>
 * &lt;checkpoint body, see {@link Checkpoint}&gt;
 * (blank line)
 * — &lt;key name&gt; &lt;base64(keyid(4 bytes) || Ed25519 signature)&gt;
 * — &lt;another key name&gt; ...
 * </pre>
 *
 * <p>Verifiers ignore signatures by keys they do not know, so key rotation and witness
 * cosignatures only add lines. {@link #parse(String)} is strict about every line it reads and
 * throws {@link AuditFormatException} for anything malformed (it is fuzzed), yet accepts what
 * C2SP allows: extension lines in any order, unknown extension lines (kept, and covered by the
 * signatures as written), and plain three-line checkpoints of other logs.
 *
 * @param checkpoint what is signed, as parsed
 * @param signatures signature lines, at least one
 * @param body the exact signed text (origin, size, root, extension lines as written; ends with a newline)
 */
public record SignedCheckpoint(Checkpoint checkpoint, List<NoteSignature> signatures, String body) {

  public static final int MAX_NOTE_CHARS = 64 * 1024;
  private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,18}");

  public SignedCheckpoint {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(body, "body");
    signatures = List.copyOf(signatures);
    if (signatures.isEmpty()) {
      throw new IllegalArgumentException("a signed note needs at least one signature");
    }
  }

  /** A note whose body is {@code checkpoint}'s canonical body. */
  public SignedCheckpoint(Checkpoint checkpoint, List<NoteSignature> signatures) {
    this(checkpoint, signatures, checkpoint.body());
  }

  /** Signs {@code checkpoint} with every signer. */
  public static SignedCheckpoint sign(Checkpoint checkpoint, Collection<CheckpointSigner> signers) {
    byte[] body = checkpoint.bodyBytes();
    List<NoteSignature> sigs = new ArrayList<>();
    for (CheckpointSigner s : signers) {
      sigs.add(new NoteSignature(s.name(), s.publicKey().keyId(), ByteAccess.wrap(s.sign(body))));
    }
    return new SignedCheckpoint(checkpoint, sigs);
  }

  /** The note text: body, blank line, signature lines. */
  public String note() {
    StringBuilder sb = new StringBuilder(body).append('\n');
    for (NoteSignature s : signatures) {
      sb.append(s.line());
    }
    return sb.toString();
  }

  /** Names of the given keys whose signatures on this note verify. */
  public List<String> verifiedBy(Collection<CheckpointKey> keys) {
    byte[] body = this.body.getBytes(StandardCharsets.UTF_8);
    List<String> ok = new ArrayList<>();
    for (CheckpointKey k : keys) {
      int id = k.keyId();
      for (NoteSignature s : signatures) {
        if (s.name().equals(k.name()) && s.keyId() == id && k.verify(body, s.signature().toByteArray())) {
          ok.add(k.name());
          break;
        }
      }
    }
    return ok;
  }

  /**
   * Parses a signed checkpoint note.
   *
   * @throws AuditFormatException if the text is not a well-formed signed checkpoint
   */
  public static SignedCheckpoint parse(String note) throws AuditFormatException {
    if (note == null || note.isEmpty()) {
      throw new AuditFormatException("empty checkpoint note");
    }
    if (note.length() > MAX_NOTE_CHARS) {
      throw new AuditFormatException("checkpoint note longer than " + MAX_NOTE_CHARS + " characters");
    }
    if (!note.endsWith("\n")) {
      throw new AuditFormatException("checkpoint note does not end with a newline (truncated?)");
    }
    int split = note.indexOf("\n\n");
    if (split < 0) {
      throw new AuditFormatException("checkpoint note has no blank line before its signatures");
    }
    String bodyText = note.substring(0, split + 1);
    String[] body = note.substring(0, split).split("\n", -1);
    String sigText = note.substring(split + 2);
    if (body.length < 3) {
      throw new AuditFormatException("checkpoint body needs origin, size and root lines");
    }
    String origin = body[0];
    if (!DECIMAL.matcher(body[1]).matches()) {
      throw new AuditFormatException("checkpoint size is not a decimal number");
    }
    long size = parseLong(body[1], "size");
    Bytes root = hash(body[2], "root");
    Bytes chain = null;
    Long minIndex = null;
    Long time = null;
    String minIndexText = null;
    String timeText = null;
    for (int i = 3; i < body.length; i++) {
      String line = body[i];
      if (line.isEmpty()) {
        throw new AuditFormatException("empty checkpoint extension line " + (i + 1));
      }
      int sp = line.indexOf(' ');
      if (sp <= 0) {
        continue; // an unknown extension without a value: allowed, signed as written
      }
      String key = line.substring(0, sp);
      String value = line.substring(sp + 1);
      switch (key) {
        case "chain":
          chain = once(chain, hash(value, "chain"), key);
          break;
        case "minindex":
          minIndexText = once(minIndexText, value, key);
          break;
        case "time":
          timeText = once(timeText, value, key);
          break;
        default:
          break; // unknown extensions are allowed and ignored
      }
    }
    if (chain != null) {
      minIndex = minIndexText == null ? null : decimal(minIndexText, "minindex");
      time = timeText == null ? null : decimal(timeText, "time");
    }
    if (chain != null && (minIndex == null || time == null)) {
      throw new AuditFormatException("a checkpoint with a chain line (Bulwark's) also has minindex and time lines");
    }
    if (chain == null) {
      // Another log's checkpoint: its extension lines are its own business (signed as written).
      minIndex = null;
      time = null;
    }
    if (sigText.isEmpty()) {
      throw new AuditFormatException("checkpoint note has no signatures");
    }
    List<NoteSignature> sigs = new ArrayList<>();
    for (String line : sigText.substring(0, sigText.length() - 1).split("\n", -1)) {
      if (!line.startsWith("\u2014 ")) {
        throw new AuditFormatException("signature lines start with an em dash and a space");
      }
      String rest = line.substring(2);
      int sp = rest.indexOf(' ');
      if (sp <= 0 || rest.indexOf(' ', sp + 1) >= 0) {
        throw new AuditFormatException("signature line is '— <name> <base64>'");
      }
      byte[] raw;
      try {
        raw = Bytes.fromBase64(rest.substring(sp + 1)).toByteArray();
      } catch (IllegalArgumentException e) {
        throw new AuditFormatException("signature is not base64", e);
      }
      if (raw.length < 5) {
        throw new AuditFormatException("signature too short for a key ID and a signature");
      }
      int id = ((raw[0] & 0xff) << 24) | ((raw[1] & 0xff) << 16) | ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
      byte[] sig = new byte[raw.length - 4];
      System.arraycopy(raw, 4, sig, 0, sig.length);
      try {
        sigs.add(new NoteSignature(rest.substring(0, sp), id, ByteAccess.wrap(sig)));
      } catch (IllegalArgumentException e) {
        throw new AuditFormatException("bad signature key name", e);
      }
    }
    try {
      Checkpoint cp = new Checkpoint(origin, size, root, chain, minIndex == null ? 0 : minIndex,
          time == null ? null : Instant.ofEpochSecond(time));
      SignedCheckpoint parsed = new SignedCheckpoint(cp, sigs, bodyText);
      if (!parsed.note().equals(note)) {
        throw new AuditFormatException("checkpoint signature lines are not in canonical form");
      }
      return parsed;
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      throw new AuditFormatException("invalid checkpoint: " + e.getMessage(), e);
    }
  }

  private static <T> T once(T old, T value, String key) throws AuditFormatException {
    if (old != null) {
      throw new AuditFormatException("duplicate checkpoint extension '" + key + "'");
    }
    return value;
  }

  private static long decimal(String s, String what) throws AuditFormatException {
    if (!DECIMAL.matcher(s).matches()) {
      throw new AuditFormatException("checkpoint " + what + " is not a decimal number");
    }
    return parseLong(s, what);
  }

  private static long parseLong(String s, String what) throws AuditFormatException {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new AuditFormatException("checkpoint " + what + " out of range", e);
    }
  }

  private static Bytes hash(String b64, String what) throws AuditFormatException {
    try {
      Bytes b = Bytes.fromBase64(b64);
      if (b.length() != 32) {
        throw new AuditFormatException("checkpoint " + what + " is not a 32-byte hash");
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new AuditFormatException("checkpoint " + what + " is not base64", e);
    }
  }

  /** UTF-8 bytes of {@link #note()}. */
  public byte[] noteBytes() {
    return note().getBytes(StandardCharsets.UTF_8);
  }
}
