package dev.bulwark.samples.notes;

/** An expected failure whose message is written for the person using the app (never a secret). */
class UserError extends Exception {
  private static final long serialVersionUID = 1L;

  UserError(String message) {
    super(message);
  }
}
