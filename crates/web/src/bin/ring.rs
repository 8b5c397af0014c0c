//! The page of the lab "ring": this binary links that lab alone.

fn main() {
    distlab_web::start::<distlab_core::ring::RingLab>();
}
