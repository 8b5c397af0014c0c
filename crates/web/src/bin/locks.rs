//! The page of the lab "locks": this binary links that lab alone.

fn main() {
    distlab_web::start::<distlab_core::locks::LocksLab>();
}
