package dev.bulwark.crypto.internal;

import dev.bulwark.common.Bytes;
import dev.bulwark.crypto.KeyState;
import dev.bulwark.crypto.KeyVersion;
import dev.bulwark.crypto.KeyringIntegrityException;
import dev.bulwark.crypto.spi.KekRef;
import dev.bulwark.crypto.spi.KeyringRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Binary encoding of keyring records for file stores. */
public final class KeyringCodec {
  private static final int VERSION = 1;

  private KeyringCodec() {}

  public static byte[] encode(Collection<KeyringRecord> records) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      out.writeInt(records.size());
      for (KeyringRecord r : records) {
        out.writeUTF(r.keyringId());
        out.writeLong(r.revision());
        out.writeInt(r.minDecryptableVersion());
        out.writeBoolean(r.shreddedAt().isPresent());
        if (r.shreddedAt().isPresent()) {
          writeInstant(out, r.shreddedAt().get());
        }
        out.writeInt(r.versions().size());
        for (KeyVersion v : r.versions()) {
          out.writeInt(v.version());
          out.writeByte(v.state().ordinal());
          writeInstant(out, v.createdAt());
          out.writeLong(v.encryptionsReserved());
          out.writeBoolean(v.kekRef().isPresent());
          if (v.kekRef().isPresent()) {
            out.writeUTF(v.kekRef().get().providerId());
            byte[] ref = v.kekRef().get().reference().toByteArray();
            out.writeInt(ref.length);
            out.write(ref);
          }
        }
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory stream failed", e);
    }
  }

  public static List<KeyringRecord> decode(byte[] data) throws KeyringIntegrityException {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      if (in.readUnsignedByte() != VERSION) {
        throw new KeyringIntegrityException("keyring data has an unknown version");
      }
      int n = in.readInt();
      if (n < 0 || n > 1_000_000) {
        throw new KeyringIntegrityException("keyring data is corrupt");
      }
      List<KeyringRecord> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String id = in.readUTF();
        long revision = in.readLong();
        int minDec = in.readInt();
        Optional<Instant> shredded = in.readBoolean() ? Optional.of(readInstant(in)) : Optional.empty();
        int vn = in.readInt();
        if (vn < 0 || vn > 1_000_000) {
          throw new KeyringIntegrityException("keyring data is corrupt");
        }
        List<KeyVersion> versions = new ArrayList<>();
        for (int j = 0; j < vn; j++) {
          int version = in.readInt();
          int state = in.readUnsignedByte();
          if (state >= KeyState.values().length) {
            throw new KeyringIntegrityException("keyring data is corrupt");
          }
          Instant created = readInstant(in);
          long reserved = in.readLong();
          Optional<KekRef> ref = Optional.empty();
          if (in.readBoolean()) {
            String provider = in.readUTF();
            int len = in.readInt();
            if (len < 0 || len > 8192) {
              throw new KeyringIntegrityException("keyring data is corrupt");
            }
            byte[] b = in.readNBytes(len);
            if (b.length != len) {
              throw new KeyringIntegrityException("keyring data is truncated");
            }
            ref = Optional.of(new KekRef(provider, Bytes.copyOf(b)));
          }
          versions.add(new KeyVersion(version, KeyState.values()[state], created, reserved, ref));
        }
        out.add(new KeyringRecord(id, revision, versions, minDec, shredded));
      }
      if (in.read() != -1) {
        throw new KeyringIntegrityException("keyring data has trailing bytes");
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new KeyringIntegrityException("keyring data is corrupt or truncated", e);
    }
  }

  private static void writeInstant(DataOutputStream out, Instant t) throws IOException {
    out.writeLong(t.getEpochSecond());
    out.writeInt(t.getNano());
  }

  private static Instant readInstant(DataInputStream in) throws IOException {
    return Instant.ofEpochSecond(in.readLong(), in.readInt());
  }
}
