package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.internal.MerkleTree;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** RFC 6962 roots for sizes 0..8 (transparency-dev reference values). */
class MerkleVectorsTest {

  private static List<String> array(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name);
    }
    List<String> out = new ArrayList<>();
    Matcher s = Pattern.compile("\"([0-9a-f]*)\"").matcher(m.group(1));
    while (s.find()) {
      out.add(s.group(1));
    }
    return out;
  }

  @Test
  void roots_matchPublishedVectors_forEverySize() throws IOException {
    String json;
    try (InputStream in = getClass().getResourceAsStream("/vectors/rfc6962-roots.json")) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> leaves = array(json, "leaves");
    List<String> roots = array(json, "roots");
    assertEquals(leaves.size() + 1, roots.size());
    HexFormat hex = HexFormat.of();
    MerkleTree tree = new MerkleTree();
    assertEquals(roots.get(0), hex.formatHex(tree.root()));
    for (int i = 0; i < leaves.size(); i++) {
      tree.append(Hashes.leaf(hex.parseHex(leaves.get(i))));
      assertEquals(roots.get(i + 1), hex.formatHex(tree.root()), "root of size " + (i + 1));
    }
    for (int n = 0; n <= leaves.size(); n++) {
      assertEquals(roots.get(n), hex.formatHex(tree.rootAt(n)), "historical root of size " + n);
    }
  }
}
