package dev.tuneloop.curation.rules;

/**
 * One curation check: adds a rejection to the candidate (or rewrites it, e.g. redaction) and
 * explains itself.
 */
@FunctionalInterface
public interface Rule {
  void apply(Candidate candidate);
}
