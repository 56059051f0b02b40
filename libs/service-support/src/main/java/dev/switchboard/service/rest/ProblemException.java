package dev.switchboard.service.rest;

import java.util.List;
import java.util.Map;


/** A request the service refuses, carried to the client as a problem document. */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final List<Problem.FieldError> errors;
    private final Map<String, Object> extensions;

    public ProblemException(int status, String type, String title, String detail, List<Problem.FieldError> errors,
            Map<String, Object> extensions) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = errors;
        this.extensions = extensions;
    }

    /** Also what a customer gets for a ticket they may not see, so ids cannot be probed. */
    public static ProblemException notFound(String what) {
        return new ProblemException(404, "not-found", "Not found", what + " does not exist", List.of(), Map.of());
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail, List.of(), Map.of());
    }

    public static ProblemException conflict(String type, String detail, Map<String, Object> extensions) {
        return new ProblemException(409, type, "Conflict", detail, List.of(), extensions);
    }

    public static ProblemException badRequest(String detail, List<Problem.FieldError> errors) {
        return new ProblemException(400, "validation", "Invalid request", detail, errors, Map.of());
    }

    public Problem toProblem() {
        return new Problem("/problems/" + type, title, status, getMessage(), errors, extensions);
    }

    public int status() {
        return status;
    }
}
