using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Emotion.Samples.WebApi;

/// <summary>
/// Reads the image of a <c>POST /predict</c>: a multipart form's file (field <c>image</c>, else its only file) or the raw
/// body with an <c>image/*</c> content type. The size limit is enforced from the Content-Length header before anything
/// is read, and again while reading (a chunked body has no length), so no request buffers more than the limit.
/// </summary>
public static class ImageRequestReader
{
    /// <summary>The form field that carries the image.</summary>
    public const string FormField = "image";

    /// <summary>What a client should send, for error messages.</summary>
    public const string Expected = "send the image as the request body with Content-Type image/jpeg, image/png or image/bmp, " +
                                   "or as the file field 'image' of a multipart/form-data form";

    /// <summary>Reads the image bytes of <paramref name="request"/>.</summary>
    /// <exception cref="BadImageRequestException">The content type is wrong, the body is empty or larger than <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > maxBytes) throw TooLarge(declared, maxBytes);
        if (string.IsNullOrWhiteSpace(request.ContentType))
            throw new BadImageRequestException(StatusCodes.Status400BadRequest, $"The request has no Content-Type: {Expected}.");
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.MediaType.Value is not { } type)
            throw new BadImageRequestException(StatusCodes.Status400BadRequest, $"The Content-Type '{request.ContentType}' cannot be parsed: {Expected}.");
        if (type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return await ReadFormAsync(request, maxBytes, cancellationToken);
        if (!type.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
            throw new BadImageRequestException(StatusCodes.Status400BadRequest, $"The Content-Type '{type}' is not an image type: {Expected}.");
        var bytes = await ReadBoundedAsync(request.Body, maxBytes, cancellationToken);
        return bytes.Length > 0 ? bytes
            : throw new BadImageRequestException(StatusCodes.Status400BadRequest, $"The request body is empty (Content-Type {type}, 0 bytes): {Expected}.");
    }

    private static async Task<byte[]> ReadFormAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            // The form reader's own limits (its default multipart limit is 128 MB) are set to ours.
            var reader = new FormFeature(request, new FormOptions { MultipartBodyLengthLimit = maxBytes, ValueLengthLimit = 64 * 1024 });
            form = await reader.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadImageRequestException(StatusCodes.Status413PayloadTooLarge,
                $"The form is larger than this server's limit of {Mib(maxBytes)} ({e.Message}).");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(null, maxBytes);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new BadImageRequestException(StatusCodes.Status400BadRequest, $"The multipart/form-data body cannot be read ({e.Message}): {Expected}.");
        }
        var file = form.Files.GetFile(FormField) ?? (form.Files.Count == 1 ? form.Files[0] : null);
        if (file is null)
            throw new BadImageRequestException(StatusCodes.Status400BadRequest, form.Files.Count == 0
                ? $"The form has no file: {Expected}."
                : $"The form has {form.Files.Count} files and none is named '{FormField}': {Expected}.");
        if (file.Length == 0)
            throw new BadImageRequestException(StatusCodes.Status400BadRequest, $"The form's file '{file.FileName}' is empty (0 bytes).");
        if (file.Length > maxBytes) throw TooLarge(file.Length, maxBytes);
        await using var stream = file.OpenReadStream();
        return await ReadBoundedAsync(stream, maxBytes, cancellationToken);
    }

    /// <summary>Copies at most <paramref name="maxBytes"/> bytes of <paramref name="stream"/>; one byte more is a 413.</summary>
    private static async Task<byte[]> ReadBoundedAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes) throw TooLarge(null, maxBytes);
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own limit (set a little above ours) was reached first.
            throw TooLarge(null, maxBytes);
        }
        return buffer.ToArray();
    }

    private static BadImageRequestException TooLarge(long? size, long maxBytes) => new(StatusCodes.Status413PayloadTooLarge,
        size is { } s
            ? $"The request is {Mib(s)}; this server accepts images up to {Mib(maxBytes)} (WebApi:MaxRequestBytes)."
            : $"The request is larger than this server's limit of {Mib(maxBytes)} (WebApi:MaxRequestBytes).");

    private static string Mib(long bytes) => $"{bytes / 1024.0 / 1024.0:0.0} MiB ({bytes} bytes)";
}
