package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The writer's and verifier's tagger computes exactly the README's HMAC, for any key length. */
class ChainKeyProperties {

  @Test
  void tagger_isHmacSha256OfTheTaggedChainHash() {
    PropertyRunner.forAll(300, c -> {
      byte[] key = c.draw("key", Generators.bytes(32, 200));
      byte[] chain = c.draw("chain", Generators.bytes(32, 32));
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
    });
  }
}
