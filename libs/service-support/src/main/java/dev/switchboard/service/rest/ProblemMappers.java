package dev.switchboard.service.rest;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.hibernate.StaleStateException;
import org.hibernate.exception.DataException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.quarkus.logging.Log;

/**
 * Turns every failure into the one problem shape; nothing else reaches a client. The REST layer uses
 * the mappers; a handler outside it (a Vert.x route such as chat-service's send) uses
 * {@link #toProblem(Throwable)}, which answers the same for the same failure.
 */
public class ProblemMappers {
    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return respond(e.toProblem());
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e) {
        return respond(validationProblem(e));
    }

    @ServerExceptionMapper
    public Response unknownField(com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
        return respond(unknownFieldProblem(e));
    }

    @ServerExceptionMapper
    public Response wrongType(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return respond(wrongTypeProblem(e));
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        return respond(unreadableJsonProblem(e));
    }

    @ServerExceptionMapper
    public Response staleVersion(StaleStateException e) {
        return respond(staleVersionProblem());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        return respond(webApplicationProblem(e));
    }

    /** Two requests raced to make the same change (a double-click on "watch"): the loser retries. */
    @ServerExceptionMapper
    public Response concurrentChange(org.hibernate.exception.ConstraintViolationException e) {
        return respond(concurrentChangeProblem());
    }

    /** A missing, malformed, expired or foreign token (authentication runs in the REST layer, not proactively). */
    @ServerExceptionMapper({io.quarkus.security.AuthenticationFailedException.class,
            io.quarkus.security.UnauthorizedException.class})
    public Response unauthenticated(RuntimeException e) {
        return Response.fromResponse(respond(new Problem("/problems/unauthenticated", "Unauthenticated", 401,
                "a valid bearer token is required", List.of(), Map.of())))
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e) {
        return respond(new Problem("/problems/forbidden", "Forbidden", 403, "the token does not allow this",
                List.of(), Map.of()));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        return respond(unexpectedProblem(e));
    }

    /**
     * A value PostgreSQL refuses as data (SQLSTATE class 22: a NUL character in text, a number out of
     * range...) came from the request: a 400 problem, not a 500 (found by the e2e RestFuzzIT).
     */
    @ServerExceptionMapper
    public Response invalidData(DataException e) {
        return respond(invalidDataProblem(e));
    }

    /**
     * The problem the mappers above make of a failure, for handlers outside the REST layer. Same
     * choice as theirs (the most specific type wins); authentication is not among them, because such
     * a handler leaves a request without a valid token to the REST layer.
     */
    public static Problem toProblem(Throwable e) {
        if (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            return toProblem(e.getCause());
        }
        if (e instanceof ProblemException problem) {
            return problem.toProblem();
        }
        if (e instanceof ConstraintViolationException violations) {
            return validationProblem(violations);
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException unknown) {
            return unknownFieldProblem(unknown);
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatch) {
            return wrongTypeProblem(mismatch);
        }
        if (e instanceof JsonProcessingException unreadable) {
            return unreadableJsonProblem(unreadable);
        }
        if (e instanceof StaleStateException) {
            return staleVersionProblem();
        }
        if (e instanceof WebApplicationException web) {
            return webApplicationProblem(web);
        }
        if (e instanceof org.hibernate.exception.ConstraintViolationException) {
            return concurrentChangeProblem();
        }
        if (e instanceof DataException data) {
            return invalidDataProblem(data);
        }
        return unexpectedProblem(e);
    }

    static Problem validationProblem(ConstraintViolationException e) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(field(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        return new Problem("/problems/validation", "Invalid request", 400,
                "the request has " + errors.size() + " invalid field(s)", errors, Map.of());
    }

    static Problem unknownFieldProblem(com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
        return new Problem("/problems/validation", "Invalid request", 400, "unknown field "
                + e.getPropertyName(), List.of(new Problem.FieldError(e.getPropertyName(), "is not a field of this request")),
                Map.of());
    }

    static Problem wrongTypeProblem(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        String field = e.getPath().stream().map(ref -> ref.getFieldName() != null ? ref.getFieldName()
                : "[" + ref.getIndex() + "]").reduce((a, b) -> a + "." + b).orElse("body");
        String expected = e.getTargetType() != null && e.getTargetType().isEnum()
                ? "one of " + java.util.Arrays.toString(e.getTargetType().getEnumConstants())
                : "a value of type " + (e.getTargetType() == null ? "?" : e.getTargetType().getSimpleName());
        return new Problem("/problems/validation", "Invalid request", 400, "the field " + field
                + " has the wrong type", List.of(new Problem.FieldError(field, "must be " + expected)), Map.of());
    }

    static Problem unreadableJsonProblem(JsonProcessingException e) {
        return new Problem("/problems/malformed-json", "Malformed JSON", 400,
                "the body is not valid JSON for this request: " + e.getOriginalMessage(), List.of(), Map.of());
    }

    static Problem staleVersionProblem() {
        return new Problem("/problems/stale-version", "Conflict", 409,
                "the resource was changed by someone else; reload it and try again", List.of(), Map.of());
    }

    static Problem webApplicationProblem(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return toProblem(json); // a body the REST layer could not read: as a route's
        }
        return new Problem("/problems/http-" + status, Response.Status.fromStatusCode(status) == null
                ? "Error" : Response.Status.fromStatusCode(status).getReasonPhrase(), status, e.getMessage(),
                List.of(), Map.of());
    }

    static Problem concurrentChangeProblem() {
        return new Problem("/problems/concurrent-change", "Conflict", 409,
                "the resource was changed at the same moment by another request; reload it and try again", List.of(),
                Map.of());
    }

    static Problem unexpectedProblem(Throwable e) {
        if (e.getCause() instanceof StaleStateException) {
            return staleVersionProblem();
        }
        if (e.getCause() instanceof org.hibernate.exception.ConstraintViolationException) {
            return concurrentChangeProblem();
        }
        Log.error("unexpected failure", e);
        return new Problem("/problems/internal", "Internal error", 500, "the request could not be completed", List.of(),
                Map.of());
    }

    static Problem invalidDataProblem(DataException e) {
        Log.debugf("refused as invalid data: %s", e.getSQLException() == null ? e.getMessage() : e.getSQLException().getMessage());
        String detail = "22021".equals(e.getSQLState())
                ? "a value in the request contains a character that cannot be stored (e.g. NUL, \\u0000)"
                : "a value in the request cannot be stored";
        return new Problem("/problems/invalid-data", "Invalid request", 400, detail, List.of(), Map.of());
    }

    private static String field(ConstraintViolation<?> violation) {
        String path = violation.getPropertyPath().toString();
        // "create.request.title" -> "title": the client knows its body, not our method names.
        int lastDot = path.lastIndexOf('.');
        return snakeCase(lastDot < 0 ? path : path.substring(lastDot + 1));
    }

    static String snakeCase(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Response respond(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
