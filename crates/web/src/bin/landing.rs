//! The landing page: a card per lab; it links no lab's code.

fn main() {
    distlab_web::landing::start();
}
