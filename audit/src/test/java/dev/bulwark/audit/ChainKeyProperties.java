package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** The writer's and verifier's tagger computes exactly the README's HMAC, for any key length. */
class ChainKeyProperties {

  @Property(tries = 300)
  void tagger_isHmacSha256OfTheTaggedChainHash(@ForAll @Size(min = 32, max = 200) byte[] key,
      @ForAll @Size(value = 32) byte[] chain) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    mac.update("bulwark-audit-mac-v1\0".getBytes(StandardCharsets.US_ASCII));
    byte[] expected = mac.doFinal(chain);

    ChainKey.Tagger tagger = ChainKey.of(key).newTagger();
    assertArrayEquals(expected, tagger.tag(chain));
    // A second tag starts from the same precomputed state, and offsets are honoured.
    byte[] in = new byte[48];
    System.arraycopy(chain, 0, in, 5, 32);
    byte[] out = new byte[40];
    tagger.tag(in, 5, out, 8);
    assertArrayEquals(expected, Arrays.copyOfRange(out, 8, 40));
  }
}
