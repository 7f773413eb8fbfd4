package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import java.util.Objects;

/**
 * One signature line of a C2SP signed note: {@code — <name> <base64(keyid(4) || signature)>}.
 *
 * @param name key name
 * @param keyId 4-byte key ID as an int
 * @param signature signature bytes (64 for Ed25519)
 */
public record NoteSignature(String name, int keyId, Bytes signature) {
  public NoteSignature {
    CheckpointKey.checkName(name);
    Objects.requireNonNull(signature, "signature");
  }

  String line() {
    byte[] sig = signature.toByteArray();
    byte[] all = new byte[4 + sig.length];
    all[0] = (byte) (keyId >>> 24);
    all[1] = (byte) (keyId >>> 16);
    all[2] = (byte) (keyId >>> 8);
    all[3] = (byte) keyId;
    System.arraycopy(sig, 0, all, 4, sig.length);
    return "\u2014 " + name + " " + Bytes.of(all).base64() + "\n";
  }
}
