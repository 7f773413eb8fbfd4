package dev.bulwark.common.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

  @Test
  void splitsAtTopLevelSemicolonsOnly() {
    String script = "-- a comment; not a statement\n"
        + "CREATE TABLE a (x text DEFAULT 'x;y', \"we;ird\" int);\n"
        + "/* block; /* nested; */ still */ DO $$ BEGIN PERFORM 1; END $$;\n"
        + "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n"
        + "SELECT 'it''s; fine'\n";
    assertEquals(List.of(
        "CREATE TABLE a (x text DEFAULT 'x;y', \"we;ird\" int)",
        "DO $$ BEGIN PERFORM 1; END $$",
        "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
        "SELECT 'it''s; fine'"), SqlScript.statements(script));
  }

  @Test
  void commentOnlyPartsAreNotStatements() {
    assertEquals(List.of(), SqlScript.statements("-- nothing\n;\n/* nothing */;  ;"));
  }

  @Test
  void positionalParametersAreNotDollarQuotes() {
    assertEquals(List.of("SELECT $1, $2"), SqlScript.statements("SELECT $1, $2;"));
  }

  @Test
  void unterminatedQuotesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> SqlScript.statements("SELECT 'open;"));
    assertThrows(IllegalArgumentException.class, () -> SqlScript.statements("DO $$ BEGIN"));
    assertThrows(IllegalArgumentException.class, () -> SqlScript.statements("/* open"));
  }
}
