package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.crypto.internal.Primitives;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof AES-GCM vectors against the primitive the envelope uses ({@link Primitives}: JCA
 * AES/GCM/NoPadding with a 96-bit IV and 128-bit tag). Vectors with other IV or tag sizes do not
 * apply to it and are counted separately.
 */
class AesGcmVectorsTest {

  @Test
  void wycheproofAesGcm() throws Exception {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("/vectors/aes_gcm_test.json")) {
      root = new ObjectMapper().readTree(in);
    }
    HexFormat hex = HexFormat.of();
    int valid = 0;
    int invalid = 0;
    int skipped = 0;
    for (JsonNode group : root.get("testGroups")) {
      boolean applies = group.get("ivSize").asInt() == 96 && group.get("tagSize").asInt() == 128;
      for (JsonNode t : group.get("tests")) {
        if (!applies) {
          skipped++;
          continue;
        }
        byte[] key = hex.parseHex(t.get("key").asText());
        byte[] iv = hex.parseHex(t.get("iv").asText());
        byte[] aad = hex.parseHex(t.get("aad").asText());
        byte[] msg = hex.parseHex(t.get("msg").asText());
        byte[] ct = hex.parseHex(t.get("ct").asText());
        byte[] tag = hex.parseHex(t.get("tag").asText());
        byte[] full = new byte[ct.length + tag.length];
        System.arraycopy(ct, 0, full, 0, ct.length);
        System.arraycopy(tag, 0, full, ct.length, tag.length);
        String id = "tcId " + t.get("tcId").asInt();
        if (t.get("result").asText().equals("invalid")) {
          invalid++;
          assertThrows(GeneralSecurityException.class, () -> Primitives.gcmDecrypt(key, iv, aad, full, 0, full.length), id);
        } else {
          valid++;
          assertArrayEquals(full, Primitives.gcmEncrypt(key, iv, aad, msg), id);
          assertArrayEquals(msg, Primitives.gcmDecrypt(key, iv, aad, full, 0, full.length), id);
        }
      }
    }
    assertTrue(valid > 50, "valid vectors run: " + valid);
    assertTrue(invalid > 20, "invalid vectors run: " + invalid);
    assertEquals(root.get("numberOfTests").asInt(), valid + invalid + skipped);
  }
}
