package dev.bulwark.lifecycle.jdbc;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.DataClass;
import org.junit.jupiter.api.Test;

class TableMappingTest {

  private static final DataClass C = DataClass.of("c");

  @Test
  void reservedWord_unquoted_isRefused_withTheQuotedFormSuggested() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableMapping.of(C, "user"));
    assertTrue(e.getMessage().contains("\"user\""), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TableMapping.of(C, "orders").withSubject("group"));
    assertThrows(IllegalArgumentException.class, () -> TableMapping.of(C, "orders").withColumns("id", "order", "p"));
  }

  @Test
  void reservedWord_quoted_isAccepted() {
    TableMapping m = TableMapping.of(C, "\"user\"").withSubject("\"group\"").withTenant("\"Tenant\"");
    assertTrue(m.table().equals("\"user\""));
  }

  @Test
  void badlyQuotedNames_areRefused() {
    for (String bad : new String[] {"\"user", "user\"", "\"\"", "\"a\"b\"", "\"a b\"", "\"a;drop\"", "a\"b"}) {
      assertThrows(IllegalArgumentException.class, () -> TableMapping.of(C, bad), bad);
    }
  }

  @Test
  void oneColumnInTwoRoles_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> TableMapping.of(C, "t").withSubject("id"));
    assertThrows(IllegalArgumentException.class, () -> TableMapping.of(C, "t").withEligibleAt("purge_after"));
    assertThrows(IllegalArgumentException.class, () -> TableMapping.of(C, "t").withColumns("id", "x", "x"));
    assertThrows(IllegalArgumentException.class,
        () -> TableMapping.of(C, "t").withSubject("owner").withTenant("\"owner\""));
  }
}
