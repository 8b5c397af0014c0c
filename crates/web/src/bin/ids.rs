//! The page of the lab "ids": this binary links that lab alone.

fn main() {
    distlab_web::start::<distlab_core::ids::lab::IdsLab>();
}
