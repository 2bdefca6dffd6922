//! Photos people upload: decoded within limits (a small file can claim a huge picture),
//! turned upright by their EXIF orientation, cropped to the middle square, scaled down and
//! written anew as JPEG. Nothing of the uploaded file survives but its pixels: no GPS
//! position, camera serial or other metadata.

use std::io::Cursor;

use image::{
    DynamicImage, GrayImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage,
    imageops::FilterType,
};

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

/// Like `decode_upright`, for copies of at most `longest` pixels per side: a JPEG is decoded
/// at the smallest DCT scale (1/2, 1/4 or 1/8) that still gives `longest` pixels, which takes
/// a fraction of the memory and time the whole picture would (a 12 MP photo for a 1600 px
/// copy: 9 MB instead of 36 MB). Other formats, and JPEGs in CMYK or 16 bits, are decoded
/// whole.
pub fn decode_upright_for(
    bytes: &[u8],
    limits: PictureLimits,
    longest: u32,
) -> Result<DynamicImage, AppError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| unsupported())?;
    if reader.format() != Some(ImageFormat::Jpeg) {
        return decode_upright(bytes, limits);
    }
    // `image` reads the header: the size, checked before any pixel is decoded, and the EXIF
    // orientation.
    let mut header = reader.into_decoder().map_err(|err| decode_error(&err))?;
    let (width, height) = header.dimensions();
    check_size(width, height, limits)?;
    let orientation = header.orientation().ok();
    drop(header);
    let mut jpeg = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    jpeg.set_max_decoding_buffer_size(usize::try_from(MAX_DECODE_BYTES).unwrap_or(usize::MAX));
    let side = u16::try_from(longest).unwrap_or(u16::MAX);
    let (scaled_width, scaled_height) = jpeg
        .read_info()
        .and_then(|()| jpeg.scale(side, side))
        .map_err(|_| unreadable())?;
    let pixels = jpeg.decode().map_err(|_| unreadable())?;
    let (scaled_width, scaled_height) = (u32::from(scaled_width), u32::from(scaled_height));
    let format = jpeg.info().map(|info| info.pixel_format);
    let mut picture = match format {
        Some(jpeg_decoder::PixelFormat::RGB24) => {
            RgbImage::from_raw(scaled_width, scaled_height, pixels).map(DynamicImage::ImageRgb8)
        }
        Some(jpeg_decoder::PixelFormat::L8) => {
            GrayImage::from_raw(scaled_width, scaled_height, pixels).map(DynamicImage::ImageLuma8)
        }
        _ => return decode_upright(bytes, limits),
    }
    .ok_or_else(unreadable)?;
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
        _ => unreadable(),
    }
}

fn unreadable() -> AppError {
    AppError::invalid(
        "photo",
        "unreadable_image",
        "This photo could not be read: the file is damaged or not a picture.",
    )
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
    fn a_large_jpeg_is_decoded_at_the_scale_its_copy_needs() {
        let big = RgbImage::from_fn(3200, 2400, |x, _| Rgb([(x / 13) as u8, 90, 160]));
        let mut jpeg = Vec::new();
        big.write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
            .unwrap();
        let limits = PictureLimits {
            max_side: 20_000,
            max_pixels: 64_000_000,
        };
        let half = decode_upright_for(&jpeg, limits, 1600).unwrap();
        assert_eq!((half.width(), half.height()), (1600, 1200));
        let whole = decode_upright_for(&jpeg, limits, 2000).unwrap();
        assert_eq!((whole.width(), whole.height()), (3200, 2400));
        let small = PictureLimits {
            max_side: 20_000,
            max_pixels: 1_000_000,
        };
        assert_eq!(
            decode_upright_for(&jpeg, small, 1600).unwrap_err().code(),
            "image_too_large"
        );
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
