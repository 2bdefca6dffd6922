//! Photo albums through the HTTP API of a real `schoolgate serve` process (SQLite, local
//! folder), as a teacher's phone uses them: 40 photos of 12 megapixels (made here: a
//! gradient with noise, so they compress like camera photos) uploaded two at a time as the
//! app does; how long the phone waits for its uploads, when every photo is processed, the
//! processing time per photo, and the server's peak memory (VmHWM). Then an album of 200
//! photos: what the first screen of its grid costs a parent's phone in bytes.
//!
//! Baseline in the same run: the same decode, resize and encode of one photo in this
//! process, without HTTP, database or file store.
//!
//! Run: `cargo bench --bench albums` (BENCH_PHOTOS, default 40; BENCH_GRID_PHOTOS, 200).

use std::time::{Duration, Instant};

use image::{ImageFormat, RgbImage};
use schoolgate::platform::images;
use serde_json::{Value, json};

#[path = "support/process.rs"]
mod process;

use process::{Server, admin_token, json_post};

/// Thumbnails a 390 px wide phone shows on the first screen of a grid (3 columns, 5 rows).
const FIRST_SCREEN_THUMBNAILS: usize = 15;

fn count(variable: &str, default: usize) -> usize {
    std::env::var(variable)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// A photo of `width` x `height` as a camera would give it: JPEG, quality 90, with light
/// noise over a colour gradient.
fn camera_photo(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let picture = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 24) as i32 - 12;
        let shade = |base: u32, span: u32| {
            (base as i32 + noise + (span as i32 * x as i32 / width as i32)).clamp(0, 255) as u8
        };
        image::Rgb([
            shade(60 + (seed as u32 * 40) % 120, 80),
            shade(90 + y * 80 / height, 60),
            shade(140, 90),
        ])
    });
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    picture.write_with_encoder(encoder).unwrap();
    out
}

async fn upload(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    album: i64,
    bytes: Vec<u8>,
) -> f64 {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("IMG.JPG");
    let form = reqwest::multipart::Form::new().part("photo", part);
    let started = Instant::now();
    let response = client
        .post(format!("{base}/api/albums/{album}/photos"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202, "{}", response.text().await.unwrap());
    started.elapsed().as_secs_f64()
}

/// Uploads `photos` two at a time (as the app does); returns each upload's time.
async fn upload_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    album: i64,
    photos: Vec<Vec<u8>>,
) -> Vec<f64> {
    let queue = std::sync::Arc::new(std::sync::Mutex::new(photos));
    let mut workers = Vec::new();
    for _ in 0..2 {
        let (queue, client, base, token) = (
            queue.clone(),
            client.clone(),
            base.to_string(),
            token.to_string(),
        );
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let next = queue.lock().unwrap().pop();
                let Some(photo) = next else { break };
                times.push(upload(&client, &base, &token, album, photo).await);
            }
            times
        }));
    }
    let mut times = Vec::new();
    for worker in workers {
        times.extend(worker.await.unwrap());
    }
    times
}

async fn album_page(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    album: i64,
) -> (Value, usize) {
    let body = client
        .get(format!("{base}/api/albums/{album}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    (serde_json::from_slice(&body).unwrap(), body.len())
}

/// Waits until no photo of the album is pending; returns the page.
async fn processed(client: &reqwest::Client, base: &str, token: &str, album: i64) -> Value {
    loop {
        let (page, _) = album_page(client, base, token, album).await;
        if page["photos"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] != "pending")
        {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The server's work for one photo, here in this process (no HTTP, database or file store):
/// the same functions, or (`whole`) the whole picture decoded by `image` as a plain
/// pipeline would.
fn baseline(photo: &[u8], whole: bool) -> f64 {
    let limits = images::PictureLimits {
        max_side: 20_000,
        max_pixels: 64_000_000,
    };
    let started = Instant::now();
    let picture = if whole {
        image::load_from_memory_with_format(photo, ImageFormat::Jpeg).unwrap()
    } else {
        images::decode_upright_for(photo, limits, 1600).unwrap()
    };
    let display = images::fitted(&picture, 1600);
    let thumb = images::square(&display, 320);
    for copy in [&display, &thumb] {
        images::encode_jpeg(copy).unwrap();
    }
    started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let photos = count("BENCH_PHOTOS", 40);
    let grid = count("BENCH_GRID_PHOTOS", 200);
    let server = Server::start(&[]).await;
    let client = reqwest::Client::new();
    let token = admin_token(&server, &[]).await;
    let base = server.base.clone();
    let group = json_post(
        &client,
        format!("{base}/api/groups"),
        Some(&token),
        json!({ "name": "Groep 3a" }),
    )
    .await;
    let album = json_post(
        &client,
        format!("{base}/api/albums"),
        Some(&token),
        json!({
            "group_id": group["id"], "title": "Schoolreisje"
        }),
    )
    .await["album"]["id"]
        .as_i64()
        .unwrap();

    println!("making {photos} photos of 4000 x 3000 (12 MP)...");
    let made: Vec<Vec<u8>> = {
        let handles: Vec<_> = (0..photos as u64)
            .map(|seed| std::thread::spawn(move || camera_photo(4000, 3000, seed)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    };
    let total_mb = made.iter().map(Vec::len).sum::<usize>() as f64 / 1048576.0;
    let mean = |whole: bool| {
        made.iter()
            .take(5)
            .map(|photo| baseline(photo, whole))
            .sum::<f64>()
            / 5.0
    };
    let (raw_per_photo, whole_per_photo) = (mean(false), mean(true));

    let resting = server.memory_mb("VmRSS:");
    server.reset_peak();
    let started = Instant::now();
    let mut times = upload_all(&client, &base, &token, album, made).await;
    let uploaded = started.elapsed().as_secs_f64();
    let peak_while_uploading = server.memory_mb("VmHWM:");
    let page = processed(&client, &base, &token, album).await;
    let all_ready = started.elapsed().as_secs_f64();
    let peak = server.memory_mb("VmHWM:");
    let ready = page["photos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "ready")
        .count();
    assert_eq!(ready, photos, "every photo processed");
    times.sort_by(f64::total_cmp);
    // Two photos are decoded at a time (albums.processing_at_once), while uploads go on.
    let per_photo = all_ready * 2.0 / photos as f64;
    println!(
        "{photos} photos ({total_mb:.0} MB): the phone's uploads done after {uploaded:.1} s \
         (each p50 {:.2} s, p99 {:.2} s); all processed after {all_ready:.1} s; \
         processing ~{per_photo:.2} s per photo with 2 at a time (upper bound: uploads overlap)",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
    );
    println!(
        "baseline in-process (no HTTP, database, file store): scaled decode + display copy + \
         thumbnail + 2 JPEG encodes {raw_per_photo:.2} s per photo (decoding the whole picture \
         instead: {whole_per_photo:.2} s); server per photo / baseline = {:.2}",
        per_photo / raw_per_photo
    );
    println!(
        "server memory: {resting:.0} MB at rest, peak {peak_while_uploading:.0} MB until the \
         uploads were done and {peak:.0} MB until every photo was processed ({:.0} MB above \
         rest; aim < 300 MB)",
        peak - resting
    );

    // The grid of a 200-photo album, as a parent's phone loads its first screen.
    let big = json_post(
        &client,
        format!("{base}/api/albums"),
        Some(&token),
        json!({
            "group_id": group["id"], "title": "Het hele jaar"
        }),
    )
    .await["album"]["id"]
        .as_i64()
        .unwrap();
    let made: Vec<Vec<u8>> = (0..grid as u64)
        .map(|seed| camera_photo(1600, 1200, seed))
        .collect();
    upload_all(&client, &base, &token, big, made).await;
    let page = processed(&client, &base, &token, big).await;
    let (_, json_bytes) = album_page(&client, &base, &token, big).await;
    let mut thumbs = Vec::new();
    let mut displays = Vec::new();
    for photo in page["photos"].as_array().unwrap() {
        for (key, into) in [("thumb_url", &mut thumbs), ("display_url", &mut displays)] {
            let body = client
                .get(format!("{base}{}", photo[key].as_str().unwrap()))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            into.push(body.len());
        }
    }
    let first_screen = json_bytes + thumbs.iter().take(FIRST_SCREEN_THUMBNAILS).sum::<usize>();
    let all_thumbs: usize = thumbs.iter().sum();
    let all_displays: usize = displays.iter().sum();
    println!(
        "grid of {grid} photos: album JSON {:.1} KB, thumbnails {:.1} KB each on average; first \
         screen ({FIRST_SCREEN_THUMBNAILS} thumbnails + JSON) {:.0} KB; all thumbnails {:.1} MB; \
         the display copies instead would be {:.1} MB ({:.0}x the thumbnails)",
        json_bytes as f64 / 1024.0,
        all_thumbs as f64 / thumbs.len() as f64 / 1024.0,
        first_screen as f64 / 1024.0,
        all_thumbs as f64 / 1048576.0,
        all_displays as f64 / 1048576.0,
        all_displays as f64 / all_thumbs as f64,
    );
}
