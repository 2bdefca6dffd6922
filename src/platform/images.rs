//! Photos people upload: decoded within limits (a small file can claim a huge picture),
//! turned upright by their EXIF orientation, cropped to the middle square, scaled down and
//! written anew as JPEG. Nothing of the uploaded file survives but its pixels: no GPS
//! position, camera serial or other metadata.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, imageops::FilterType};

use crate::app::error::AppError;

/// The side of a stored profile or child photo, in pixels.
pub const PORTRAIT_SIDE: u32 = 512;

/// Largest picture accepted, per side: beyond any phone camera.
pub const MAX_SIDE: u32 = 12_000;
/// Memory the decoder may take for one picture.
const MAX_DECODE_BYTES: u64 = 300 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

/// The picture in `bytes` as an upright square JPEG of `side` pixels (smaller pictures are
/// not enlarged). Runs for a while: call it on a blocking thread.
pub fn square_jpeg(bytes: &[u8], side: u32) -> Result<Vec<u8>, AppError> {
    let picture = decode_upright(bytes, PORTRAIT_LIMITS)?;
    encode_jpeg(&square(&picture, side))
}

/// How large a picture may be, checked before it is decoded.
#[derive(Clone, Copy, Debug)]
pub struct PictureLimits {
    pub max_side: u32,
    pub max_pixels: u64,
}

const PORTRAIT_LIMITS: PictureLimits = PictureLimits {
    max_side: MAX_SIDE,
    max_pixels: MAX_DECODE_BYTES / 3,
};

/// An accepted picture's format and size, read from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PictureHeader {
    pub content_type: &'static str,
    /// None when the size is further into the file than `head` (a JPEG with large metadata):
    /// the decoder checks the limits then.
    pub size: Option<(u32, u32)>,
}

/// Checks an upload by its first bytes: a JPEG, PNG or WebP within `limits`. Cheap (no
/// decoding), so an upload can be refused at once.
pub fn check_header(head: &[u8], limits: PictureLimits) -> Result<PictureHeader, AppError> {
    let content_type = match image::guess_format(head).map_err(|_| unsupported())? {
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Png => "image/png",
        ImageFormat::WebP => "image/webp",
        _ => return Err(unsupported()),
    };
    let size = ImageReader::new(Cursor::new(head))
        .with_guessed_format()
        .ok()
        .and_then(|reader| reader.into_dimensions().ok());
    if let Some((width, height)) = size {
        check_size(width, height, limits)?;
    }
    Ok(PictureHeader { content_type, size })
}

/// A decoded picture turned upright by its EXIF orientation. Nothing but its pixels is kept.
pub fn decode_upright(bytes: &[u8], limits: PictureLimits) -> Result<DynamicImage, AppError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| unsupported())?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        _ => return Err(unsupported()),
    }
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut decoder = reader.into_decoder().map_err(|err| decode_error(&err))?;
    decoder
        .set_limits(decoder_limits)
        .map_err(|err| decode_error(&err))?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, limits)?;
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|err| decode_error(&err))?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }
    Ok(picture)
}

/// The middle square of `picture`, scaled down to `side` (never up).
pub fn square(picture: &DynamicImage, side: u32) -> DynamicImage {
    let short = picture.width().min(picture.height());
    let target = side.min(short);
    picture
        .crop_imm(
            (picture.width() - short) / 2,
            (picture.height() - short) / 2,
            short,
            short,
        )
        .resize_exact(target, target, FilterType::Lanczos3)
}

/// `picture` scaled down (never up) to fit in `side` x `side`, its proportions kept. Area
/// averaging: sharp for the large factors of camera photos, and without the filters'
/// floating-point copy of the whole picture.
pub fn fitted(picture: &DynamicImage, side: u32) -> DynamicImage {
    if picture.width() <= side && picture.height() <= side {
        return picture.clone();
    }
    picture.thumbnail(side, side)
}

/// `picture` written as a JPEG (no metadata).
pub fn encode_jpeg(picture: &DynamicImage) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    picture
        .to_rgb8()
        .write_with_encoder(encoder)
        .map_err(|err| AppError::internal(format!("encoding a photo: {err}")))?;
    Ok(out)
}

fn check_size(width: u32, height: u32, limits: PictureLimits) -> Result<(), AppError> {
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(too_large(limits));
    }
    Ok(())
}

fn too_large(limits: PictureLimits) -> AppError {
    AppError::TooLarge {
        code: "image_too_large",
        message: format!(
            "This picture is too large: at most {} megapixels and {} pixels per side.",
            limits.max_pixels / 1_000_000,
            limits.max_side
        ),
    }
}

fn unsupported() -> AppError {
    AppError::UnsupportedType {
        code: "unsupported_image_type",
        message: "Send a photo as JPEG, PNG or WebP (on an iPhone: Settings > Camera > Formats > \
                  Most Compatible)."
            .into(),
    }
}

fn decode_error(err: &image::ImageError) -> AppError {
    match err {
        image::ImageError::Limits(_) => too_large(PORTRAIT_LIMITS),
        image::ImageError::Unsupported(_) => unsupported(),
        _ => AppError::invalid(
            "photo",
            "unreadable_image",
            "This photo could not be read: the file is damaged or not a picture.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        });
        let mut out = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_wide_picture_becomes_the_square_of_its_middle() {
        let jpeg = square_jpeg(&png(900, 600), 512).unwrap();
        let back = image::load_from_memory_with_format(&jpeg, ImageFormat::Jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (512, 512));
        let small = square_jpeg(&png(300, 200), 512).unwrap();
        let back = image::load_from_memory(&small).unwrap();
        assert_eq!((back.width(), back.height()), (200, 200));
    }

    #[test]
    fn text_and_markup_are_not_pictures() {
        for bytes in [
            &b"<?php echo 1; ?>"[..],
            b"<html><script>x</script></html>",
            b"",
        ] {
            let err = square_jpeg(bytes, 512).unwrap_err();
            assert_eq!(err.code(), "unsupported_image_type");
        }
    }
}
