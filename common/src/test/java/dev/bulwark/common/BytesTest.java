package dev.bulwark.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.common.internal.ByteAccess;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import org.junit.jupiter.api.Test;

class BytesTest {

  @Test
  void copiesInAndOut() {
    byte[] raw = {1, 2, 3};
    Bytes b = Bytes.of(raw);
    raw[0] = 9;
    assertEquals(1, b.get(0));
    b.toByteArray()[1] = 9;
    assertEquals(2, b.get(1));
  }

  @Test
  void everyValueHasOneTextForm() {
    PropertyRunner.forAll(500, c -> {
      byte[] raw = c.draw("raw", Generators.bytes(0, 80));
      Bytes b = Bytes.of(raw);
      assertEquals(b, Bytes.fromBase64(b.base64()));
      assertEquals(b, Bytes.fromBase64Url(b.base64Url()));
      assertEquals(b, Bytes.fromHex(b.hex()));
      assertArrayEquals(raw, b.toByteArray());
      assertTrue(b.equalsConstantTime(Bytes.of(raw)));
    });
  }

  @Test
  void nonCanonicalBase64IsRejected() {
    assertEquals(Bytes.of(new byte[] {(byte) 0xff}), Bytes.fromBase64("/w=="));
    assertThrows(IllegalArgumentException.class, () -> Bytes.fromBase64("/x=="));
    assertThrows(IllegalArgumentException.class, () -> Bytes.fromBase64("/w"));
    assertThrows(IllegalArgumentException.class, () -> Bytes.fromBase64("/w==="));
    assertThrows(IllegalArgumentException.class, () -> Bytes.fromBase64Url("_w=="));
    assertThrows(IllegalArgumentException.class, () -> Bytes.fromBase64Url("_x"));
    assertThrows(IllegalArgumentException.class, () -> Bytes.fromHex("abc"));
  }

  @Test
  void equalityIsByContent() {
    assertEquals(Bytes.of(new byte[] {1}), Bytes.copyOf(new byte[] {1}));
    assertNotEquals(Bytes.of(new byte[] {1}), Bytes.of(new byte[] {2}));
    assertFalse(Bytes.of(new byte[] {1}).equalsConstantTime(Bytes.of(new byte[] {1, 0})));
    assertSame(Bytes.empty(), Bytes.of(new byte[0]));
  }

  @Test
  void toStringShowsAPrefixOfLongValues() {
    String s = Bytes.of(new byte[100]).toString();
    assertTrue(s.endsWith("...(100 bytes)"), s);
    assertEquals(64 + "...(100 bytes)".length(), s.length());
  }

  @Test
  void internalAccessSharesTheArray() {
    byte[] raw = {1, 2};
    Bytes b = ByteAccess.wrap(raw);
    assertSame(raw, ByteAccess.array(b));
    assertThrows(IllegalStateException.class, () -> ByteAccess.install(null));
  }
}
