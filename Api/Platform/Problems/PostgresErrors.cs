using Npgsql;

namespace WedSync.Api.Platform.Problems;

/// <summary>What a PostgreSQL error means for the client: the status of its problem response.</summary>
public static class PostgresErrors
{
    public sealed record Mapping(int Status, string Title, string Detail);

    /// <summary>Serialization failure and deadlock: the same transaction run again may well succeed.</summary>
    public static bool IsRetryable(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected };

    /// <summary>
    /// The details of constraints and policies stay in the server log: the client learns which kind of
    /// rule it broke, not the schema behind it.
    /// </summary>
    public static Mapping? Map(PostgresException exception) => exception.SqlState switch
    {
        PostgresErrorCodes.UniqueViolation =>
            new(StatusCodes.Status409Conflict, "Conflict", "A resource with the same unique value already exists."),
        PostgresErrorCodes.CheckViolation or PostgresErrorCodes.ForeignKeyViolation or PostgresErrorCodes.NotNullViolation =>
            new(StatusCodes.Status422UnprocessableEntity, "Unprocessable entity", "The request breaks a rule of the data it changes."),
        PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected =>
            new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The request kept conflicting with concurrent changes; try again shortly."),
        // Functions that validate their arguments (record_db_monitoring_event...) raise 22023: the client sent a bad value.
        PostgresErrorCodes.InvalidParameterValue =>
            new(StatusCodes.Status400BadRequest, "Bad request", "A value of the request is not valid for this operation."),
        // A value of the request the server cannot store or represent (out of range, NUL in text or JSON,
        // a character outside the encoding, an unreadable literal): the client's value, never a server fault.
        PostgresErrorCodes.NumericValueOutOfRange or PostgresErrorCodes.DatetimeFieldOverflow or PostgresErrorCodes.InvalidDatetimeFormat
            or PostgresErrorCodes.UntranslatableCharacter or PostgresErrorCodes.CharacterNotInRepertoire
            or PostgresErrorCodes.InvalidTextRepresentation or PostgresErrorCodes.StringDataRightTruncation =>
            new(StatusCodes.Status400BadRequest, "Bad request", "A value of the request cannot be stored as sent."),
        PostgresErrorCodes.InsufficientPrivilege =>
            new(StatusCodes.Status403Forbidden, "Forbidden", "Your role may not do this."),
        // The server is shutting down, restarting or still starting: the same request soon will likely pass.
        PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow =>
            new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The database is restarting; try again shortly."),
        PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.LockNotAvailable =>
            new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The database is busy; try again shortly."),
        _ => null,
    };
}
