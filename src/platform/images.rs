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
const MAX_SIDE: u32 = 12_000;
/// Memory the decoder may take for one picture.
const MAX_DECODE_BYTES: u64 = 300 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

/// The picture in `bytes` as an upright square JPEG of `side` pixels (smaller pictures are
/// not enlarged). Runs for a while: call it on a blocking thread.
pub fn square_jpeg(bytes: &[u8], side: u32) -> Result<Vec<u8>, AppError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| unsupported())?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        _ => return Err(unsupported()),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut decoder = reader.into_decoder().map_err(|err| decode_error(&err))?;
    decoder
        .set_limits(limits)
        .map_err(|err| decode_error(&err))?;
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|err| decode_error(&err))?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }
    let short = picture.width().min(picture.height());
    let square = picture.crop_imm(
        (picture.width() - short) / 2,
        (picture.height() - short) / 2,
        short,
        short,
    );
    let target = side.min(short);
    let scaled = square
        .resize_exact(target, target, FilterType::Lanczos3)
        .into_rgb8();
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    scaled
        .write_with_encoder(encoder)
        .map_err(|err| AppError::internal(format!("encoding a photo: {err}")))?;
    Ok(out)
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
        image::ImageError::Limits(_) => AppError::TooLarge {
            code: "image_too_large",
            message: format!("This picture is too large: at most {MAX_SIDE} x {MAX_SIDE} pixels."),
        },
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
